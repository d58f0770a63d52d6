using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using TamTam.Client.Tests.Infrastructure;

namespace TamTam.Client.Tests.Transports;

/// <summary>
/// A WebSocket server for scripting: a loopback listener that performs the RFC 6455 upgrade by hand and
/// wraps the stream in a server-side <see cref="WebSocket"/>, so each test decides every message.
/// </summary>
internal sealed class ScriptedWebSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    private ScriptedWebSocketServer()
    {
        _listener.Start();
        Uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ws");
    }

    public Uri Uri { get; }

    public static ScriptedWebSocketServer Start() => new();

    /// <summary>Accepts the next connection and completes the upgrade, or answers <paramref name="refuseWith"/> and closes.</summary>
    public async Task<WebSocketPeer?> AcceptAsync(HttpStatusCode? refuseWith = null)
    {
        TcpClient tcp = await _listener.AcceptTcpClientAsync().WaitAsync(TestTimeout.Default);
        NetworkStream stream = tcp.GetStream();
        string request = await ReadRequestHeadAsync(stream);
        if (refuseWith is { } status)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {(int)status} {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            tcp.Dispose();
            return null;
        }

        string key = request.Split("\r\n").Select(line => line.Split(':', 2)).Single(parts => parts[0].Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))[1].Trim();
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the handshake; nothing here is a security decision.
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
        WebSocket socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return new WebSocketPeer(tcp, socket);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<string> ReadRequestHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                throw new EndOfStreamException("the client closed the connection during the upgrade");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}

/// <summary>
/// The server side of one scripted WebSocket: <see cref="FramePeer.SendRawAsync"/> sends one binary message;
/// binary messages from the client are pumped into a pipe. A text message or the client's Close (answered) ends the pump.
/// </summary>
internal sealed class WebSocketPeer : FramePeer
{
    private readonly TcpClient _tcp;
    private readonly WebSocket _socket;
    private readonly Pipe _input = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Task _pump;
    private WebSocketMessageType? _lastMessageType;

    public WebSocketPeer(TcpClient tcp, WebSocket socket)
    {
        _tcp = tcp;
        _socket = socket;
        _pump = PumpAsync();
    }

    /// <summary>How the client's stream ended: its Close (with this status), or null while open.</summary>
    public WebSocketCloseStatus? ClientCloseStatus => _socket.CloseStatus;

    public WebSocketState State => _socket.State;

    protected override PipeReader Input => _input.Reader;

    public override Task SendRawAsync(ReadOnlyMemory<byte> bytes) => SendMessageAsync(bytes, WebSocketMessageType.Binary);

    public async Task SendMessageAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await _socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>Closes from the server's side and waits for the client's answer.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await _pump.WaitAsync(TestTimeout.Default);
    }

    /// <summary>Waits for the client's Close (the pump answers it).</summary>
    public async Task ExpectCloseAsync()
    {
        await _pump.WaitAsync(TestTimeout.Default);
        Assert.Equal(WebSocketMessageType.Close, _lastMessageType);
    }

    public override async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _pump.WaitAsync(TestTimeout.Default);
        await _input.Reader.CompleteAsync();
        _socket.Dispose();
        _tcp.Dispose();
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
                _lastMessageType = result.MessageType;
                if (result.MessageType == WebSocketMessageType.Close && _socket.State == WebSocketState.CloseReceived)
                {
                    // Answered at once, as a real server does.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // After the close handshake the server closes TCP first (RFC 6455 section 7.1.1); a client
                    // WebSocket waits a moment for that. (A WebSocket that answered a Close has done so already.)
                    try
                    {
                        _tcp.Client.Shutdown(SocketShutdown.Both);
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }

                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    return;
                }

                _input.Writer.Advance(result.Count);
                await _input.Writer.FlushAsync();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            failure = exception;
        }
        finally
        {
            await _input.Writer.CompleteAsync(failure);
        }
    }
}
