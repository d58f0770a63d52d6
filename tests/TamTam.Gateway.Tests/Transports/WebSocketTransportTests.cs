using System.Net;
using System.Net.WebSockets;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>
/// WebSocket specifics (docs/protocol.md section 1): message boundaries carry no meaning, text messages are
/// error 117, and a Close is answered.
/// </summary>
[Collection(TransportSiloCollection.Name)]
public sealed class WebSocketTransportTests(TransportSiloFixture silo)
{
    [Fact]
    public async Task A_frame_split_across_two_binary_messages_is_served()
    {
        await using RawWebSocketPeer peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);

        // HELLO cut inside its header, PING cut inside its body.
        byte[] hello = FrameCodec.ToArray(WireClient.Hello(), correlation: 1);
        await peer.SendRawAsync(hello.AsMemory(0, 7));
        await peer.SendRawAsync(hello.AsMemory(7));
        await peer.ReceiveAsync<WelcomeFrame>();

        byte[] ping = FrameCodec.ToArray(new PingFrame(77), correlation: 2);
        await peer.SendRawAsync(ping.AsMemory(0, ProtocolLimits.HeaderSize + 3));
        await peer.SendRawAsync(ping.AsMemory(ProtocolLimits.HeaderSize + 3));
        await peer.ExpectPongAsync(2, 77);
    }

    [Fact]
    public async Task Three_frames_packed_in_one_binary_message_are_all_served_in_order()
    {
        await using RawWebSocketPeer peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);
        byte[] packed =
        [
            .. FrameCodec.ToArray(WireClient.Hello(), correlation: 1),
            .. FrameCodec.ToArray(new PingFrame(10), correlation: 2),
            .. FrameCodec.ToArray(new PingFrame(20), correlation: 3),
        ];

        await peer.SendRawAsync(packed);

        await peer.ReceiveAsync<WelcomeFrame>();
        await peer.ExpectPongAsync(2, 10);
        await peer.ExpectPongAsync(3, 20);
    }

    [Fact]
    public async Task A_message_sent_in_several_WebSocket_fragments_is_one_stream_of_bytes()
    {
        await using RawWebSocketPeer peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);
        byte[] helloAndPing = [.. FrameCodec.ToArray(WireClient.Hello(), correlation: 1), .. FrameCodec.ToArray(new PingFrame(5), correlation: 2)];

        await peer.SendMessageAsync(helloAndPing, WebSocketMessageType.Binary, fragments: 5);

        await peer.ReceiveAsync<WelcomeFrame>();
        await peer.ExpectPongAsync(2, 5);
    }

    [Fact]
    public async Task A_text_message_ends_that_session_with_fatal_117_and_other_sessions_go_on()
    {
        await using RawWebSocketPeer bystander = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);
        await bystander.HelloAsync();
        await using RawWebSocketPeer peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);
        await peer.HelloAsync();
        await peer.AssertAliveAsync();

        await peer.SendMessageAsync("{\"type\":\"ping\"}"u8.ToArray(), WebSocketMessageType.Text);

        await peer.ExpectErrorAsync(ErrorCode.Truncated, correlation: 0, fatal: true);
        await peer.ExpectClosedAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, peer.CloseStatus);
        await bystander.AssertAliveAsync();
    }

    [Fact]
    public async Task A_text_message_before_the_handshake_is_also_117()
    {
        await using RawWebSocketPeer peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);

        await peer.SendMessageAsync("hello"u8.ToArray(), WebSocketMessageType.Text);

        await peer.ExpectErrorAsync(ErrorCode.Truncated, correlation: 0, fatal: true);
        await peer.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_client_Close_ends_the_session_and_is_answered()
    {
        var peer = await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri);
        await peer.HelloAsync();

        // DisposeAsync sends Close and waits (bounded) for the server's answer.
        await peer.DisposeAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, peer.CloseStatus);
    }

    [Fact]
    public async Task A_plain_HTTP_request_to_the_WebSocket_path_is_answered_400()
    {
        using var http = new HttpClient { Timeout = FramePeer.Timeout };
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://{silo.Silo.HttpEndPoint}/ws"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
