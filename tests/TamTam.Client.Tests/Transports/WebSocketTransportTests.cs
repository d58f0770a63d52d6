using System.Net;
using System.Net.WebSockets;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Transports;

/// <summary>The client's WebSocket transport (<c>ws://</c>) against a scripted WebSocket server.</summary>
public sealed class WebSocketTransportTests
{
    [Fact]
    public async Task Frames_split_across_messages_and_packed_in_one_are_read_as_one_stream()
    {
        await using ScriptedWebSocketServer server = ScriptedWebSocketServer.Start();
        Task<WebSocketPeer?> accepting = server.AcceptAsync();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = server.Uri }).AsTask();
        await using WebSocketPeer peer = (await accepting)!;

        // WELCOME in two messages, cut inside its header.
        (_, uint helloCorrelation) = await peer.ExpectAsync<HelloFrame>();
        byte[] welcome = FrameCodec.ToArray(ScriptedPeer.DefaultWelcome, helloCorrelation);
        await peer.SendRawAsync(welcome.AsMemory(0, 5));
        await peer.SendRawAsync(welcome.AsMemory(5));
        await using TamTamClient client = await connecting.Within();
        Assert.Equal(ScriptedPeer.SessionId, client.SessionId);

        // Two PONGs in one message.
        Task<TimeSpan> first = client.PingAsync().AsTask();
        Task<TimeSpan> second = client.PingAsync().AsTask();
        (PingFrame ping1, uint correlation1) = await peer.ExpectAsync<PingFrame>();
        (PingFrame ping2, uint correlation2) = await peer.ExpectAsync<PingFrame>();
        byte[] pongs = [.. FrameCodec.ToArray(new PongFrame(ping1.SentAt, 0), correlation1), .. FrameCodec.ToArray(new PongFrame(ping2.SentAt, 0), correlation2)];
        await peer.SendRawAsync(pongs);
        await Task.WhenAll(first, second).Within();
    }

    [Fact]
    public async Task A_text_message_from_the_server_is_fatal_117_which_the_client_reports_before_closing()
    {
        await using ScriptedWebSocketServer server = ScriptedWebSocketServer.Start();
        (WebSocketPeer peer, TamTamClient client) = await ConnectAsync(server);
        await using (peer)
        await using (client)
        {
            Task<TimeSpan> pinging = client.PingAsync().AsTask();
            await peer.ExpectAsync<PingFrame>();

            await peer.SendMessageAsync("{}"u8.ToArray(), WebSocketMessageType.Text);

            TamTamConnectionException failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => pinging.Within());
            Assert.Equal(ErrorCode.Truncated, failure.Code);
            Assert.False(client.IsConnected);
            (ErrorFrame error, _) = await peer.ExpectAsync<ErrorFrame>();
            Assert.Equal((ErrorCode.Truncated, true), (error.Code, error.Fatal));
            await peer.ExpectCloseAsync();
        }
    }

    [Fact]
    public async Task A_Close_from_the_server_is_answered_and_ends_the_connection()
    {
        await using ScriptedWebSocketServer server = ScriptedWebSocketServer.Start();
        (WebSocketPeer peer, TamTamClient client) = await ConnectAsync(server);
        await using (peer)
        await using (client)
        {
            Task<TimeSpan> pinging = client.PingAsync().AsTask();
            await peer.ExpectAsync<PingFrame>();

            await peer.CloseAsync();

            Assert.Equal(WebSocketState.Closed, peer.State);
            TamTamConnectionException failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => pinging.Within());
            Assert.Equal(ErrorCode.None, failure.Code);
            Assert.False(client.IsConnected);
        }
    }

    [Fact]
    public async Task Disposing_the_client_sends_a_Close_and_waits_for_the_answer()
    {
        await using ScriptedWebSocketServer server = ScriptedWebSocketServer.Start();
        (WebSocketPeer peer, TamTamClient client) = await ConnectAsync(server);
        await using (peer)
        {
            Task disposing = client.DisposeAsync().AsTask();

            await peer.ExpectCloseAsync();
            await disposing.Within();

            Assert.Equal(WebSocketCloseStatus.NormalClosure, peer.ClientCloseStatus);
            Assert.Equal(WebSocketState.Closed, peer.State);
        }
    }

    [Fact]
    public async Task A_refused_upgrade_is_a_connection_error()
    {
        await using ScriptedWebSocketServer server = ScriptedWebSocketServer.Start();
        Task<WebSocketPeer?> accepting = server.AcceptAsync(refuseWith: HttpStatusCode.NotFound);

        TamTamConnectionException failure = await Assert.ThrowsAsync<TamTamConnectionException>(
            () => TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = server.Uri }).AsTask().Within());

        Assert.Equal(ErrorCode.None, failure.Code);
        Assert.Contains(server.Uri.ToString(), failure.Message, StringComparison.Ordinal);
        Assert.Null(await accepting.Within());
    }

    [Fact]
    public async Task An_unsupported_scheme_names_the_supported_ones()
    {
        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(
            () => TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri("http://127.0.0.1:7480/ws") }).AsTask().Within());

        Assert.Contains("ws://host:port/ws", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<(WebSocketPeer Peer, TamTamClient Client)> ConnectAsync(ScriptedWebSocketServer server)
    {
        Task<WebSocketPeer?> accepting = server.AcceptAsync();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = server.Uri }).AsTask();
        WebSocketPeer peer = (await accepting)!;
        await peer.HandshakeAsync();
        return (peer, await connecting.Within());
    }
}
