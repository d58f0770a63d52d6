using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>The server side of one scripted connection.</summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    public static readonly Guid SessionId = Guid.Parse("0190c4a2-7a3b-7c00-8000-00000000abcd");

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public ScriptedPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public static WelcomeFrame DefaultWelcome => new(1, ProtocolLimits.DefaultMaxBody, MaxInflight: 4_096, HeartbeatMs: 0,
        SessionTimeoutMs: 30_000, PartSize: 256 * 1024, SessionId, new byte[] { 1, 2, 3 }, Utf8Text.From("scripted/1.0"), Resumed: false);

    /// <summary>Reads HELLO and answers WELCOME.</summary>
    public async Task<HelloFrame> HandshakeAsync(WelcomeFrame? welcome = null)
    {
        (HelloFrame hello, uint correlation) = await ExpectAsync<HelloFrame>();
        await SendAsync(welcome ?? DefaultWelcome, correlation);
        return hello;
    }

    /// <summary>The next frame the client sent, copied out of the pipe so its fields stay valid.</summary>
    public async Task<ReceivedFrame> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            ReadResult result = await _input.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());

                // Only this frame is consumed; what follows stays unexamined for the next call.
                _input.AdvanceTo(buffer.Start);
                return received;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException("the client closed the connection");
            }
        }
    }

    /// <summary>Reads the next frame and checks that it is a <typeparamref name="T"/>.</summary>
    public async Task<(T Frame, uint Correlation)> ExpectAsync<T>()
        where T : struct, IFrame<T>
    {
        ReceivedFrame frame = await ReadFrameAsync();
        Assert.True(frame.Header.Type == T.Type, $"expected {T.Type.WireName()}, got {frame.Header.Type.WireName()}");
        return (frame.Decode<T>(), frame.Header.Correlation);
    }

    /// <summary>True once the client has closed its side (everything it sent before is skipped).</summary>
    public async Task WaitForCloseAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            ReadResult result = await _input.ReadAsync(timeout.Token);
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    public async Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T>
    {
        byte[] bytes = FrameCodec.ToArray(frame, correlation);
        await SendRawAsync(bytes);
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task OkAsync(uint correlation) => SendAsync(default(OkFrame), correlation);

    public Task ErrorAsync(ErrorCode code, string message, uint correlation, bool fatal = false) =>
        SendAsync(new ErrorFrame(code, Utf8Text.From(message), fatal), correlation);

    /// <summary>Closes the connection abruptly, as a crashed server would.</summary>
    public void Close()
    {
        _socket.Shutdown(SocketShutdown.Both);
        _socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
        _writeLock.Dispose();
    }
}
