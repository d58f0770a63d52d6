using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using TamTam.Protocol;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// The wire protocol over TLS on TCP (<c>tamtams://host:port</c>): an <see cref="SslStream"/> over a connected
/// socket. Reads and writes may run at once (SslStream allows one of each); the writer loop is the only writer.
/// </summary>
internal sealed class TlsStreamTransport : IClientTransport
{
    // Large enough that a read usually holds many small frames; a TLS record carries at most 16 KiB anyway.
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly SslStream _tls;
    private readonly Lock _gate = new();
    private Task? _closing;

    private TlsStreamTransport(Socket socket, SslStream tls)
    {
        _socket = socket;
        _tls = tls;
        Input = PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4 * 1024, leaveOpen: true));
    }

    public PipeReader Input { get; }

    /// <summary>Runs the TLS handshake over <paramref name="socket"/>, which this transport then owns.</summary>
    /// <exception cref="TamTamConnectionException">The handshake failed, e.g. the server's certificate was refused.</exception>
    public static async ValueTask<IClientTransport> AuthenticateAsync(Socket socket, Uri uri, TamTamClientOptions options,
        CancellationToken cancellationToken)
    {
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = uri.IdnHost,
                RemoteCertificateValidationCallback = ServerCertificateTrust.For(options),
            }, cancellationToken).ConfigureAwait(false);
            return new TlsStreamTransport(socket, tls);
        }
        catch (AuthenticationException exception)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new TamTamConnectionException(ErrorCode.None, $"TLS with {uri} failed: {exception.Message}", exception);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        await _tls.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        await _tls.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends TLS close_notify, then ends the TCP stream; what the server still sends is read.</summary>
    public void CompleteOutput()
    {
        lock (_gate)
        {
            // Called once the writer loop has finished, so no write runs beside the close_notify.
            _closing ??= ShutdownAsync();
        }
    }

    public void Abort() => _socket.Dispose();

    public async ValueTask DisposeAsync()
    {
        Task? closing;
        lock (_gate)
        {
            closing = _closing;
        }

        if (closing is not null)
        {
            await closing.ConfigureAwait(false);
        }

        await Input.CompleteAsync().ConfigureAwait(false);
        await _tls.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task ShutdownAsync()
    {
        try
        {
            await _tls.ShutdownAsync().ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Reset or aborted meanwhile: nothing left to tell the server.
        }
    }
}
