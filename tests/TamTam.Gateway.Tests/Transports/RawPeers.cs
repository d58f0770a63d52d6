using System.IO.Pipelines;
using System.Net.Sockets;
using System.Net.WebSockets;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Transports;

// Test-side peers that speak raw frame bytes over a Unix socket or a WebSocket, for what the .NET client never
// does (malformed frames, frames split or packed across WebSocket messages, text messages).

/// <summary>A raw peer on a Unix domain socket.</summary>
internal sealed class RawSocketPeer : FramePeer
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
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
        return new RawSocketPeer(socket);
    }

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
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
/// A raw peer on a WebSocket: each <see cref="SendRawAsync"/> is one binary message; what
/// the server sends is pumped into a pipe, message boundaries dropped, and a server Close is answered.
/// </summary>
internal sealed class RawWebSocketPeer : FramePeer
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
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new RawWebSocketPeer(socket);
    }

    public override Task SendRawAsync(ReadOnlyMemory<byte> bytes) => SendMessageAsync(bytes, WebSocketMessageType.Binary);

    /// <summary>Sends one message, which may be cut into several WebSocket frames (<paramref name="fragments"/>).</summary>
    public async Task SendMessageAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, int fragments = 1)
    {
        using var timeout = new CancellationTokenSource(Timeout);
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
        await _pump.WaitAsync(Timeout);
        Assert.Equal(WebSocketState.Closed, _socket.State);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }

        await _pump.WaitAsync(Timeout);
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

/// <summary>A raw peer on the in-memory transport: the client's end of the connector's pipes.</summary>
internal sealed class RawPipePeer(IDuplexPipe pipe) : FramePeer
{
    protected override PipeReader Input => pipe.Input;

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await pipe.Output.WriteAsync(bytes, timeout.Token);
    }

    public override async ValueTask DisposeAsync()
    {
        await pipe.Output.CompleteAsync();
        await pipe.Input.CompleteAsync();
    }
}
