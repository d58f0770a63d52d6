using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using TamTam.Protocol;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// Chooses a transport: the embedder's own pipe when <see cref="TamTamClientOptions.TransportFactory"/> is
/// set, otherwise by URI scheme: <c>tamtam://</c> is TCP, <c>tamtams://</c> TCP with TLS, <c>unix://</c> a Unix
/// domain socket, <c>ws://</c> and <c>wss://</c> a WebSocket. A new transport is one more
/// <see cref="IClientTransport"/> and one more case here.
/// </summary>
internal static class ClientTransports
{
    public const string TcpScheme = "tamtam";
    public const string TcpTlsScheme = "tamtams";
    public const string UnixScheme = "unix";
    public const string WebSocketScheme = "ws";
    public const string SecureWebSocketScheme = "wss";
    public const string MemoryScheme = "memory";
    public const int DefaultPort = 7420;

    public static async ValueTask<IClientTransport> ConnectAsync(TamTamClientOptions options, CancellationToken cancellationToken)
    {
        if (options.TransportFactory is { } factory)
        {
            IDuplexPipe pipe = await factory(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{nameof(TamTamClientOptions)}.{nameof(TamTamClientOptions.TransportFactory)} returned null.");
            return new DuplexPipeTransport(pipe);
        }

        return options.Uri.Scheme switch
        {
            WebSocketScheme or SecureWebSocketScheme => await WebSocketTransport.ConnectAsync(options, cancellationToken).ConfigureAwait(false),
            _ => await ConnectSocketAsync(options, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async ValueTask<IClientTransport> ConnectSocketAsync(TamTamClientOptions options, CancellationToken cancellationToken)
    {
        Uri uri = options.Uri;
        (EndPoint endPoint, ProtocolType protocol) = Resolve(uri);
        // A host name may resolve to IPv6 or IPv4 addresses: this constructor makes a dual-mode socket where it can.
        Socket socket = endPoint.AddressFamily == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, protocol)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
        try
        {
            if (protocol == ProtocolType.Tcp)
            {
                // Frames are batched by the writer loop; Nagle would only add latency to each batch.
                socket.NoDelay = true;
            }

            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new TamTamConnectionException(ErrorCode.None, $"cannot connect to {uri}: {exception.Message}", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return uri.Scheme == TcpTlsScheme
            ? await TlsStreamTransport.AuthenticateAsync(socket, uri, options, cancellationToken).ConfigureAwait(false)
            : new SocketTransport(socket);
    }

    private static (EndPoint EndPoint, ProtocolType Protocol) Resolve(Uri uri)
    {
        switch (uri.Scheme)
        {
            case TcpScheme or TcpTlsScheme:
                if (string.IsNullOrEmpty(uri.Host))
                {
                    throw new ArgumentException($"{uri} names no host; expected {uri.Scheme}://host:port.", nameof(uri));
                }

                int port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
                EndPoint endPoint = IPAddress.TryParse(uri.IdnHost, out IPAddress? address)
                    ? new IPEndPoint(address, port)
                    : new DnsEndPoint(uri.IdnHost, port);
                return (endPoint, ProtocolType.Tcp);
            case UnixScheme:
                if (string.IsNullOrEmpty(uri.AbsolutePath) || uri.AbsolutePath == "/")
                {
                    throw new ArgumentException($"{uri} names no socket path; expected unix:///path/to/socket.", nameof(uri));
                }

                return (new UnixDomainSocketEndPoint(Uri.UnescapeDataString(uri.AbsolutePath)), ProtocolType.Unspecified);
            case MemoryScheme:
                throw new ArgumentException($"{uri} needs {nameof(TamTamClientOptions)}.{nameof(TamTamClientOptions.TransportFactory)}.", nameof(uri));
            default:
                throw new ArgumentException(
                    $"Scheme \"{uri.Scheme}\" is not supported; use tamtam://host:port, tamtams://host:port, unix:///path, ws://host:port/ws or wss://host:port/ws.", nameof(uri));
        }
    }
}
