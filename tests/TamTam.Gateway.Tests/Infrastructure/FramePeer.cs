using System.Buffers;
using System.IO.Pipelines;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>
/// A test-side peer of the wire protocol: sends frames or raw bytes and awaits the server's frames, each wait
/// bounded by <see cref="Timeout"/>. Subclasses supply the transport (TCP, TLS, Unix socket, WebSocket).
/// </summary>
internal abstract class FramePeer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>What the server sends, as one byte stream.</summary>
    protected abstract PipeReader Input { get; }

    /// <summary>Sends bytes as they are: one write on a socket, one binary message on a WebSocket.</summary>
    public abstract Task SendRawAsync(ReadOnlyMemory<byte> bytes);

    public virtual Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T> =>
        SendRawAsync(FrameCodec.ToArray(frame, correlation));

    /// <summary>Sends <paramref name="request"/> and expects the next frame to be its OK.</summary>
    public async Task ExpectOkAsync<T>(T request, uint correlation)
        where T : struct, IFrame<T>
    {
        await SendAsync(request, correlation);
        ReceivedFrame reply = await ReceiveAsync();
        Assert.Equal((FrameType.Ok, correlation), (reply.Type, reply.Correlation));
    }

    public static HelloFrame Hello(ushort minVersion = 1, ushort maxVersion = 1, uint maxBody = 0, uint heartbeatMs = 0,
        byte[]? resumeToken = null) =>
        new(minVersion, maxVersion, maxBody, heartbeatMs, "tamtam-tests/1", ReadOnlyMemory<byte>.Empty, resumeToken ?? ReadOnlyMemory<byte>.Empty);

    /// <summary>Sends an anonymous HELLO and awaits WELCOME.</summary>
    public async Task<WelcomeFrame> HelloAsync(uint maxBody = 0, uint heartbeatMs = 0)
    {
        await SendAsync(Hello(maxBody: maxBody, heartbeatMs: heartbeatMs), correlation: 1);
        return await ReceiveAsync<WelcomeFrame>();
    }

    public async Task<ReceivedFrame> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await Input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No frame from the server within {Timeout}.");
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                Input.AdvanceTo(buffer.Start);
                return received;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The server closed the connection ({buffer.Length} bytes pending).");
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Receives the next frame, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> ReceiveAsync<T>()
        where T : struct, IFrame<T>
    {
        ReceivedFrame frame = await ReceiveAsync();
        if (frame.Type == FrameType.Error && T.Type != FrameType.Error)
        {
            ErrorFrame error = frame.Decode<ErrorFrame>();
            Assert.Fail($"Expected {T.Type.WireName()}, got ERROR {(ushort)error.Code} {error.Code}: {error.Message}");
        }

        Assert.Equal(T.Type, frame.Type);
        return frame.Decode<T>();
    }

    /// <summary>Receives an ERROR and checks its code, correlation and FATAL flag.</summary>
    public async Task<ErrorFrame> ExpectErrorAsync(ErrorCode code, uint correlation, bool fatal)
    {
        ReceivedFrame frame = await ReceiveAnswerAsync(correlation);
        Assert.True(frame.Type == FrameType.Error, $"Expected ERROR {(ushort)code}, got {frame}");
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal((code, correlation, fatal), (error.Code, frame.Correlation, error.Fatal));
        Assert.False(error.Message.IsEmpty, "an ERROR carries a message");
        return error;
    }

    public async Task ExpectPongAsync(uint correlation, long echo)
    {
        ReceivedFrame frame = await ReceiveAnswerAsync(correlation);
        Assert.True(frame.Type == FrameType.Pong, $"Expected PONG, got {frame}");
        Assert.Equal(correlation, frame.Correlation);
        Assert.Equal(echo, frame.Decode<PongFrame>().Echo);
    }

    /// <summary>PING and the matching PONG: the session still answers.</summary>
    public async Task AssertAliveAsync(uint correlation = 4242)
    {
        await SendAsync(new PingFrame(123_456), correlation);
        await ExpectPongAsync(correlation, 123_456);
    }

    /// <summary>Waits for the server to end the stream, with no further bytes.</summary>
    public virtual async Task ExpectClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                ReadResult result = await Input.ReadAsync(timeout.Token);
                Assert.True(result.Buffer.IsEmpty, $"Expected the connection to close, got {result.Buffer.Length} more bytes.");
                if (result.IsCompleted)
                {
                    return;
                }

                Input.AdvanceTo(result.Buffer.End);
            }
        }
        catch (IOException)
        {
            // A reset also closes the connection.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not close the connection within {Timeout}.");
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>The frame that answers the request <paramref name="correlation"/>; by default simply the next frame.</summary>
    protected virtual Task<ReceivedFrame> ReceiveAnswerAsync(uint correlation) => ReceiveAsync();
}
