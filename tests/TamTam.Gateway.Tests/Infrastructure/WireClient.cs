using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>
/// A test-side client of the wire protocol over a real socket: sends frames (encoded or raw bytes) and
/// awaits the server's frames, each wait bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class WireClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;

    private WireClient(TcpClient tcp)
    {
        _tcp = tcp;
        NetworkStream stream = tcp.GetStream();
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
    }

    public static async Task<WireClient> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
        using var timeout = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(endPoint, timeout.Token);
        return new WireClient(tcp);
    }

    /// <summary>Connects and completes the handshake.</summary>
    public static async Task<WireClient> ConnectWelcomedAsync(IPEndPoint endPoint, uint maxBody = 0, uint heartbeatMs = 0)
    {
        WireClient client = await ConnectAsync(endPoint);
        await client.HelloAsync(maxBody, heartbeatMs);
        return client;
    }

    public static HelloFrame Hello(ushort minVersion = 1, ushort maxVersion = 1, uint maxBody = 0, uint heartbeatMs = 0,
        byte[]? resumeToken = null) =>
        new(minVersion, maxVersion, maxBody, heartbeatMs, "tamtam-tests/1", ReadOnlyMemory<byte>.Empty, resumeToken ?? ReadOnlyMemory<byte>.Empty);

    public async Task<WelcomeFrame> HelloAsync(uint maxBody = 0, uint heartbeatMs = 0)
    {
        await SendAsync(Hello(maxBody: maxBody, heartbeatMs: heartbeatMs), correlation: 1);
        return await ReceiveAsync<WelcomeFrame>();
    }

    public async Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T>
    {
        FrameCodec.Encode(_writer, frame, correlation);
        await _writer.FlushAsync();
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writer.WriteAsync(bytes);
    }

    /// <summary>Writes one byte per socket send, so the server sees the frame in as many pieces.</summary>
    public async Task SendByteByByteAsync(ReadOnlyMemory<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            await _writer.WriteAsync(bytes.Slice(i, 1));
        }
    }

    /// <summary>Closes our sending side; the server sees the end of its input.</summary>
    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    public async Task<ReceivedFrame> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No frame from the server within {Timeout}.");
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                _reader.AdvanceTo(buffer.Start);
                return received;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The server closed the connection ({buffer.Length} bytes pending).");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
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
        ReceivedFrame frame = await ReceiveAsync();
        Assert.True(frame.Type == FrameType.Error, $"Expected ERROR {(ushort)code}, got {frame}");
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal(code, error.Code);
        Assert.Equal(correlation, frame.Correlation);
        Assert.Equal(fatal, error.Fatal);
        Assert.False(error.Message.IsEmpty, "an ERROR carries a message");
        return error;
    }

    /// <summary>Waits for the server to close the connection, with no further frame.</summary>
    public async Task ExpectClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(timeout.Token);
                Assert.True(result.Buffer.IsEmpty, $"Expected the connection to close, got {result.Buffer.Length} more bytes.");
                if (result.IsCompleted)
                {
                    return;
                }

                _reader.AdvanceTo(result.Buffer.End);
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

    /// <summary>PING and the matching PONG: proves the session still answers.</summary>
    public async Task AssertAliveAsync(uint correlation = 4242)
    {
        await SendAsync(new PingFrame(123_456), correlation);
        ReceivedFrame frame = await ReceiveAsync();
        Assert.True(frame.Type == FrameType.Pong, $"Expected PONG, got {frame}");
        Assert.Equal(correlation, frame.Correlation);
        Assert.Equal(123_456, frame.Decode<PongFrame>().Echo);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _writer.CompleteAsync();
        _tcp.Dispose();
    }
}
