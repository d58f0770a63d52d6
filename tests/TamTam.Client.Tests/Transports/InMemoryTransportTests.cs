using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Transports;

/// <summary>A connection over a duplex pipe the embedder supplies (<see cref="TamTamClientOptions.TransportFactory"/>).</summary>
public sealed class InMemoryTransportTests
{
    [Fact]
    public async Task A_client_speaks_the_protocol_over_the_pipe_its_factory_returns()
    {
        await using var peer = new PipePeer();
        int calls = 0;
        var options = new TamTamClientOptions
        {
            Uri = new Uri("memory:"),
            TransportFactory = _ =>
            {
                calls++;
                return ValueTask.FromResult(peer.ClientEnd);
            },
        };

        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(options).AsTask();
        HelloFrame hello = await peer.HandshakeAsync();
        await using TamTamClient client = await connecting.Within();

        Assert.Equal(1, calls);
        Assert.Equal(new Uri("memory:"), client.Uri);
        Assert.Equal(ScriptedPeer.SessionId, client.SessionId);
        Assert.Equal("tamtam-dotnet/0.1.0", hello.Client.ToString());

        Task<TimeSpan> pinging = client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await peer.ExpectAsync<PingFrame>();
        await peer.SendAsync(new PongFrame(ping.SentAt, 0), correlation);
        await pinging.Within();
    }

    [Fact]
    public async Task Disposing_the_client_ends_its_stream()
    {
        await using var peer = new PipePeer();
        TamTamClient client = await ConnectAsync(peer);

        await client.DisposeAsync().AsTask().Within();

        await peer.ExpectEndOfStreamAsync();
    }

    [Fact]
    public async Task The_server_ending_its_stream_ends_the_connection()
    {
        await using var peer = new PipePeer();
        await using TamTamClient client = await ConnectAsync(peer);
        Task<TimeSpan> pinging = client.PingAsync().AsTask();
        await peer.ExpectAsync<PingFrame>();

        await peer.CloseAsync();

        TamTamConnectionException failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => pinging.Within());
        Assert.Equal(ErrorCode.None, failure.Code);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_memory_uri_without_a_factory_is_refused()
    {
        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(
            () => TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri("memory:") }).AsTask().Within());

        Assert.Equal(nameof(TamTamClientOptions.TransportFactory), refused.ParamName);
    }

    [Fact]
    public async Task A_factory_that_does_not_answer_runs_into_the_connect_timeout()
    {
        var options = new TamTamClientOptions
        {
            Uri = new Uri("memory:"),
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
            TransportFactory = async cancellationToken =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            },
        };

        await Assert.ThrowsAsync<TimeoutException>(() => TamTamClient.ConnectAsync(options).AsTask().Within());
    }

    private static async Task<TamTamClient> ConnectAsync(PipePeer peer)
    {
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = new Uri("memory:"),
            TransportFactory = _ => ValueTask.FromResult(peer.ClientEnd),
        }).AsTask();
        await peer.HandshakeAsync();
        return await connecting.Within();
    }
}
