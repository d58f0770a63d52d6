using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Sessions;

/// <summary>A session over in-memory pipes: the transport-agnostic entry point and the output bound.</summary>
public sealed class InMemorySessionTests : IAsyncLifetime
{
    private const int ClientPauseThreshold = 16 * 1024;
    private static readonly TimeSpan PushBackWait = TimeSpan.FromMilliseconds(500);

    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: ClientPauseThreshold,
        resumeWriterThreshold: ClientPauseThreshold / 2, useSynchronizationContext: false));

    private ServiceProvider? _services;
    private Task? _session;

    public Task InitializeAsync()
    {
        _services = new ServiceCollection().AddLogging().AddTamTamGateway().BuildServiceProvider();
        var host = _services.GetRequiredService<GatewaySessionHost>();
        _session = host.RunAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), "memory-1", "memory", remote: null, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _toClient.Reader.CompleteAsync();
        if (_session is not null)
        {
            await _session.WaitAsync(FramePeer.Timeout);
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_session_runs_over_any_duplex_pipe_and_ends_when_the_client_completes_it()
    {
        await WriteAsync(FrameCodec.ToArray(WireClient.Hello(), correlation: 1));
        Assert.Equal(FrameType.Welcome, (await ReadFrameAsync()).Type);
        await WriteAsync(FrameCodec.ToArray(new PingFrame(7), correlation: 2));
        Assert.Equal(FrameType.Pong, (await ReadFrameAsync()).Type);

        await _toServer.Writer.CompleteAsync();

        await _session!.WaitAsync(FramePeer.Timeout);
    }

    [Fact]
    public async Task A_client_that_stops_reading_holds_a_bounded_amount_of_output_and_is_pushed_back()
    {
        await WriteAsync(FrameCodec.ToArray(WireClient.Hello(), correlation: 1));
        Assert.Equal(FrameType.Welcome, (await ReadFrameAsync()).Type);

        (Task<FlushResult>? flush, long held) = await StopReadingAsync();

        Assert.True(flush is { IsCompleted: false }, "the session never pushed back on a client that does not read");
        Assert.InRange(held, ClientPauseThreshold, ClientPauseThreshold + SessionOutput.FlushThreshold + 1024);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_after_three_heartbeats_though_its_pings_cannot_leave()
    {
        await WriteAsync(FrameCodec.ToArray(WireClient.Hello(heartbeatMs: 1_000), correlation: 1));
        Assert.Equal(FrameType.Welcome, (await ReadFrameAsync()).Type);
        (Task<FlushResult>? flush, _) = await StopReadingAsync();
        Assert.True(flush is { IsCompleted: false }, "the session never pushed back on a client that does not read");

        // The session's output is full, so its read loop waits and receives nothing; its first PING waits behind the
        // output. The ticks must go on regardless: the third heartbeat without a frame closes the session (210, which
        // cannot reach this client either, so the final ERROR's 2 s bound ends it).
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await _session!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(stopped.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Sends HEALTHs (each 16 bytes asking for a ~200-byte HEALTH_REPORT) and reads nothing, until the session pushes
    /// back: the write that waits, and the bytes the session holds for the client.
    /// </summary>
    private async Task<(Task<FlushResult>? Flush, long Held)> StopReadingAsync()
    {
        byte[] healths = Enumerable.Range(0, 100).SelectMany(i => FrameCodec.ToArray(new HealthFrame(), (uint)i)).ToArray();
        long held = 0;
        Task<FlushResult>? flush = null;
        for (int round = 0; round < 1_000 && held < ClientPauseThreshold; round++)
        {
            if (flush is null)
            {
                _toServer.Writer.Write(healths);
                flush = _toServer.Writer.FlushAsync().AsTask();
            }

            try
            {
                await flush.WaitAsync(PushBackWait);
                flush = null;
            }
            catch (TimeoutException)
            {
                // Our write waits: the session's input is full. Pushed back for good once its output is too.
                held = UnreadOutput();
            }
        }

        return (flush, held);
    }

    private long UnreadOutput()
    {
        if (!_toClient.Reader.TryRead(out ReadResult unread))
        {
            return 0;
        }

        long length = unread.Buffer.Length;
        _toClient.Reader.AdvanceTo(unread.Buffer.Start);
        return length;
    }

    private async Task WriteAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes);

    private async Task<ReceivedFrame> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(FramePeer.Timeout);
        while (true)
        {
            ReadResult result = await _toClient.Reader.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                _toClient.Reader.AdvanceTo(buffer.Start);
                return received;
            }

            Assert.False(result.IsCompleted, "the session closed its output");
            _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
