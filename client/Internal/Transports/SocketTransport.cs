using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace TamTam.Client.Internal.Transports;

/// <summary>A connected stream socket (TCP or Unix domain) as an <see cref="IClientTransport"/>.</summary>
internal sealed class SocketTransport : IClientTransport
{
    // Large enough that a read usually holds many small frames; a frame larger than this simply spans segments.
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4 * 1024, leaveOpen: true));
    }

    public PipeReader Input { get; }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        while (!batch.IsEmpty)
        {
            int sent = await _socket.SendAsync(batch, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            batch = batch[sent..];
        }
    }

    public void CompleteOutput()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to tell it.
        }
        catch (ObjectDisposedException)
        {
            // Already aborted.
        }
    }

    public void Abort() => _socket.Dispose();

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
