using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Net.WebSockets;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>
/// A test-side peer that speaks raw frame bytes over a Unix socket or a WebSocket, for what the .NET client
/// never does (malformed frames, frames split or packed across WebSocket messages, text messages). Every
/// wait is bounded by <see cref="WireClient.Timeout"/>.
/// </summary>
internal abstract class RawPeer : IAsyncDisposable
{
    protected abstract PipeReader Input { get; }

    /// <summary>Sends bytes: one write on a socket, one binary message on a WebSocket.</summary>
    public abstract Task SendAsync(ReadOnlyMemory<byte> bytes);

    public Task SendAsync<T>(T frame, uint correlation)
        where T : struct, IFrame<T> =>
        SendAsync(FrameCodec.ToArray(frame, correlation));

    public async Task<WelcomeFrame> HelloAsync()
    {
        await SendAsync(WireClient.Hello(), correlation: 1);
        return await ReceiveAsync<WelcomeFrame>();
    }

    public async Task<ReceivedFrame> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        while (true)
        {
            ReadResult result = await Input.ReadAsync(timeout.Token);
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

    public async Task<T> ReceiveAsync<T>()
        where T : struct, IFrame<T>
    {
        ReceivedFrame frame = await ReceiveAsync();
        if (frame.Type == FrameType.Error && T.Type != FrameType.Error)
        {
            ErrorFrame error = frame.Decode<ErrorFrame>();
            Assert.Fail($"Expected {T.Type.WireName()}, got ERROR {(ushort)error.Code}: {error.Message}");
        }

        Assert.Equal(T.Type, frame.Type);
        return frame.Decode<T>();
    }

    public async Task<ErrorFrame> ExpectErrorAsync(ErrorCode code, uint correlation, bool fatal)
    {
        ReceivedFrame frame = await ReceiveAsync();
        Assert.True(frame.Type == FrameType.Error, $"Expected ERROR {(ushort)code}, got {frame}");
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal((code, correlation, fatal), (error.Code, frame.Correlation, error.Fatal));
        Assert.False(error.Message.IsEmpty, "an ERROR carries a message");
        return error;
    }

    public async Task ExpectPongAsync(uint correlation, long echo)
    {
        ReceivedFrame frame = await ReceiveAsync();
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
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
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

    public abstract ValueTask DisposeAsync();
}

/// <summary>A raw peer on a Unix domain socket.</summary>
internal sealed class RawSocketPeer : RawPeer
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;

    private RawSocketPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    protected override PipeReader Input => _input;

    public static async Task<RawSocketPeer> ConnectUnixAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
        return new RawSocketPeer(socket);
    }

    public override async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    public override async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}

/// <summary>
/// A raw peer on a WebSocket: each <see cref="SendAsync(ReadOnlyMemory{byte})"/> is one binary message; what
/// the server sends is pumped into a pipe, message boundaries dropped, and a server Close is answered.
/// </summary>
internal sealed class RawWebSocketPeer : RawPeer
{
    private readonly ClientWebSocket _socket;
    private readonly Pipe _input = new();
    private readonly Task _pump;

    private RawWebSocketPeer(ClientWebSocket socket)
    {
        _socket = socket;
        _pump = PumpAsync();
    }

    protected override PipeReader Input => _input.Reader;

    /// <summary>The status of the server's Close, once it came.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<RawWebSocketPeer> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new RawWebSocketPeer(socket);
    }

    public override Task SendAsync(ReadOnlyMemory<byte> bytes) => SendMessageAsync(bytes, WebSocketMessageType.Binary);

    /// <summary>Sends one message, which may be cut into several WebSocket frames (<paramref name="fragments"/>).</summary>
    public async Task SendMessageAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, int fragments = 1)
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        int size = (bytes.Length + fragments - 1) / fragments;
        for (int offset = 0; offset < bytes.Length || offset == 0; offset += Math.Max(size, 1))
        {
            ReadOnlyMemory<byte> part = bytes.Slice(offset, Math.Min(size, bytes.Length - offset));
            bool last = offset + part.Length >= bytes.Length;
            await _socket.SendAsync(part, type, last, timeout.Token);
            if (last)
            {
                break;
            }
        }
    }

    /// <summary>The server ended the stream and closed the WebSocket cleanly (its Close, answered by ours).</summary>
    public override async Task ExpectClosedAsync()
    {
        await base.ExpectClosedAsync();
        await _pump.WaitAsync(WireClient.Timeout);
        Assert.Equal(WebSocketState.Closed, _socket.State);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(WireClient.Timeout);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }

        await _pump.WaitAsync(WireClient.Timeout);
        await _input.Reader.CompleteAsync();
        _socket.Dispose();
    }

    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = _input.Writer.GetMemory(4096);
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(memory, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return;
                }

                Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
                _input.Writer.Advance(result.Count);
                await _input.Writer.FlushAsync();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            failure = exception;
        }
        finally
        {
            await _input.Writer.CompleteAsync(failure);
        }
    }
}
