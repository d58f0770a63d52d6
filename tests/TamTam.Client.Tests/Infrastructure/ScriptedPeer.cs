using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>The server side of one scripted connection on a socket.</summary>
internal sealed class ScriptedPeer : FramePeer
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

    protected override PipeReader Input => _input;

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
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

    /// <summary>Closes the connection abruptly, as a crashed server would.</summary>
    public void Close()
    {
        _socket.Shutdown(SocketShutdown.Both);
        _socket.Close();
    }

    public override async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
        _writeLock.Dispose();
    }
}
