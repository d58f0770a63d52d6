using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>A <see cref="FramePeer"/> over a plain TCP socket, written through a pipe.</summary>
internal sealed class WireClient : FramePeer
{
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

    protected override PipeReader Input => _reader;

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

    public override async Task SendAsync<T>(T frame, uint correlation = 0)
    {
        FrameCodec.Encode(_writer, frame, correlation);
        await _writer.FlushAsync();
    }

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
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

    public override async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _writer.CompleteAsync();
        _tcp.Dispose();
    }
}
