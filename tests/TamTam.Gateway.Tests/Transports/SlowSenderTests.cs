using System.Diagnostics;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>
/// A frame must arrive whole within <c>FrameTimeout</c> of its first byte (docs/protocol.md, section 6.3), on every
/// transport: a peer that announces a large body and trickles it in is closed with 210, though each byte it sends
/// would once have counted as a sign of life.
/// </summary>
[Collection(TransportSiloCollection.Name)]
public sealed class SlowSenderTests(TransportSiloFixture silo)
{
    private static readonly TimeSpan TrickleInterval = TimeSpan.FromMilliseconds(100);

    public static TheoryData<string> Transports => new() { "tcp", "unix", "ws", "memory" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_frame_body_trickling_in_after_welcome_is_closed_with_210_once_the_frame_timeout_passes(string transport)
    {
        await using FramePeer peer = await ConnectAsync(transport);
        await peer.HelloAsync();

        // A header announcing the largest body, a little of it, then one byte every 100 ms.
        byte[] start = RawFrames.Frame(0x7E, correlation: 61, body: new byte[1000], declaredLength: (uint)ProtocolLimits.DefaultMaxBody);
        var clock = Stopwatch.StartNew();
        await peer.SendRawAsync(start);
        using var stop = new CancellationTokenSource();
        Task trickle = TrickleAsync(peer, stop.Token);

        await peer.ExpectErrorAsync(ErrorCode.IdleTimeout, correlation: 0, fatal: true);
        TimeSpan closedAfter = clock.Elapsed;
        await stop.CancelAsync();
        await trickle;
        await peer.ExpectClosedAsync();
        Assert.InRange(closedAfter, TransportSiloFixture.FrameTimeout - TimeSpan.FromMilliseconds(100), FramePeer.Timeout);
    }

    [Fact]
    public async Task A_header_trickling_in_after_welcome_is_closed_with_210_once_the_frame_timeout_passes()
    {
        await using FramePeer peer = await ConnectAsync("tcp");
        await peer.HelloAsync();
        byte[] header = RawFrames.Frame(0x7E, correlation: 62, declaredLength: 100);

        // Fewer than 16 bytes: not even the header is complete when the timeout passes.
        using var stop = new CancellationTokenSource();
        Task trickle = TrickleAsync(peer, stop.Token, header);

        await peer.ExpectErrorAsync(ErrorCode.IdleTimeout, correlation: 0, fatal: true);
        await stop.CancelAsync();
        await trickle;
        await peer.ExpectClosedAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_frame_split_across_writes_within_the_frame_timeout_is_served(string transport)
    {
        await using FramePeer peer = await ConnectAsync(transport);
        await peer.HelloAsync();
        byte[] frame = RawFrames.Frame(0x7E, correlation: 63, body: new byte[100_000]);

        // Three pieces, each well within the timeout of the frame's first byte: the frame is whole in time.
        await peer.SendRawAsync(frame.AsMemory(0, 10));
        await peer.SendRawAsync(frame.AsMemory(10, 50_000));
        await peer.SendRawAsync(frame.AsMemory(50_010));

        await peer.ExpectErrorAsync(ErrorCode.UnknownType, correlation: 63, fatal: false);
        await peer.AssertAliveAsync();
    }

    [Fact]
    public async Task A_frame_arriving_over_more_than_three_short_heartbeats_within_the_frame_timeout_is_served()
    {
        await using FramePeer peer = await ConnectAsync("tcp");
        await peer.HelloAsync(heartbeatMs: 1000);
        byte[] frame = RawFrames.Frame(0x7E, correlation: 64, body: new byte[10_000]);

        // Ten pieces 400 ms apart: 4 s without a whole frame, past the idle limit of three 1 s heartbeats, well within the
        // 8 s frame timeout (a loaded machine stretches the pieces' delays).
        for (int piece = 0; piece < 10; piece++)
        {
            await peer.SendRawAsync(frame.AsMemory(piece * 1_000, 1_000));
            await Task.Delay(TimeSpan.FromMilliseconds(400));
        }

        await peer.SendRawAsync(frame.AsMemory(10_000));

        ReceivedFrame answer = await peer.ReceiveAsync();
        while (answer.Type == FrameType.Ping)
        {
            answer = await peer.ReceiveAsync();
        }

        Assert.Equal((FrameType.Error, 64u), (answer.Type, answer.Correlation));
        Assert.Equal((ErrorCode.UnknownType, false), (answer.Decode<ErrorFrame>().Code, answer.Decode<ErrorFrame>().Fatal));
    }

    /// <summary>Sends one byte (of <paramref name="bytes"/>, or a zero) every <see cref="TrickleInterval"/> until stopped or refused.</summary>
    private static async Task TrickleAsync(FramePeer peer, CancellationToken stop, byte[]? bytes = null)
    {
        try
        {
            for (int i = 0; !stop.IsCancellationRequested && (bytes is null || i < bytes.Length - 1); i++)
            {
                await peer.SendRawAsync(bytes is null ? new byte[1] : bytes.AsMemory(i, 1));
                await Task.Delay(TrickleInterval, stop);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException
            or System.Net.WebSockets.WebSocketException)
        {
            // Stopped, or the server closed the connection under the trickle.
        }
    }

    private async Task<FramePeer> ConnectAsync(string transport) => transport switch
    {
        "tcp" => await WireClient.ConnectAsync(silo.Silo.TcpEndPoint),
        "unix" => await RawSocketPeer.ConnectUnixAsync(silo.SocketPath),
        "ws" => await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri),
        "memory" => new RawPipePeer(silo.Memory.Connect()),
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };
}
