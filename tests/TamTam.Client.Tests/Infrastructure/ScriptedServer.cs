using System.Net;
using System.Net.Sockets;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>
/// A protocol peer on a real socket (loopback TCP, or a Unix domain socket) that each test scripts frame by
/// frame. It speaks through the production codec but holds no server logic: the test decides every reply.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string? _socketPath;

    private ScriptedServer(Socket listener, Uri uri, string? socketPath)
    {
        _listener = listener;
        _socketPath = socketPath;
        Uri = uri;
    }

    public Uri Uri { get; }

    public static ScriptedServer Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return new ScriptedServer(listener, new Uri($"tamtam://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"), null);
    }

    public static ScriptedServer StartUnix()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tamtam-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        return new ScriptedServer(listener, new Uri($"unix://{path}"), path);
    }

    /// <summary>Accepts the next connection.</summary>
    /// <param name="sendBufferSize">A small socket send buffer makes the peer's writes stall sooner.</param>
    public async Task<ScriptedPeer> AcceptAsync(int? sendBufferSize = null)
    {
        Socket socket = await _listener.AcceptAsync().WaitAsync(TestTimeout.Default);
        if (socket.ProtocolType == ProtocolType.Tcp)
        {
            socket.NoDelay = true;
        }

        if (sendBufferSize is { } size)
        {
            socket.SendBufferSize = size;
        }

        return new ScriptedPeer(socket);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        if (_socketPath is not null)
        {
            File.Delete(_socketPath);
        }

        return ValueTask.CompletedTask;
    }
}
