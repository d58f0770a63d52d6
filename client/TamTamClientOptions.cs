using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace TamTam.Client;

/// <summary>
/// How a <see cref="TamTamClient"/> connects and behaves. Every property has a working default, so
/// <c>new TamTamClientOptions()</c> reaches a local interchange on <c>tamtam://127.0.0.1:7420</c>.
/// </summary>
public sealed record TamTamClientOptions
{
    /// <summary>The interchange a client reaches when <see cref="Uri"/> is not set.</summary>
    public static readonly Uri DefaultUri = new("tamtam://127.0.0.1:7420");

    /// <summary>
    /// Where the interchange listens: <c>tamtam://host:port</c> for TCP (port 7420 when omitted),
    /// <c>tamtams://host:port</c> for TCP over TLS, <c>unix:///path/to/socket</c> for a Unix domain socket,
    /// <c>ws://host:port/ws</c> for WebSocket (the silo serves it on its HTTP port) or <c>wss://host:port/ws</c>
    /// for WebSocket over TLS. With <see cref="TransportFactory"/> it only names the connection in logs:
    /// <c>memory:</c> by convention.
    /// </summary>
    /// <remarks>
    /// Over TLS the server's certificate must be valid for the URI's host: trusted by the system, by
    /// <see cref="TrustedServerCertificates"/>, or accepted by <see cref="ServerCertificateValidation"/>.
    /// </remarks>
    public Uri Uri { get; init; } = DefaultUri;

    /// <summary>
    /// Several servers of one interchange (every silo runs the gateway), in the order to try them; when set and not
    /// empty, it replaces <see cref="Uri"/>. <see cref="TamTamClient.ConnectAsync"/> takes the first that answers.
    /// When the connection is lost, or the server drains (fatal 211 SHUTTING_DOWN), each reconnection attempt
    /// (<see cref="Reconnect"/>, with its backoff) dials the next endpoint in turn, wrapping round, and resumes the
    /// session there: any server of the interchange honours its resume token. <see cref="TamTamEndpoints.Parse"/>
    /// reads a list from <c>tamtam://a:7420,b:7420</c>. With <see cref="TransportFactory"/> the list only names
    /// connections in logs.
    /// </summary>
    public IReadOnlyList<Uri>? Endpoints { get; init; }

    /// <summary>
    /// Opens the connection's byte stream instead of dialling <see cref="Uri"/>, e.g. the client's end of an
    /// in-memory connection to a gateway in the same process (the gateway's <c>InMemoryGatewayConnector.ConnectAsync</c>).
    /// Called once per connect, within <see cref="ConnectTimeout"/>; the client owns the pipe it returns and
    /// completes both its sides when it closes. <see langword="null"/> (default): connect by <see cref="Uri"/>.
    /// </summary>
    public Func<CancellationToken, ValueTask<IDuplexPipe>>? TransportFactory { get; init; }

    /// <summary>Free-form software identifier sent in HELLO, e.g. <c>billing-service/2.3</c>.</summary>
    public string ClientName { get; init; } = "tamtam-dotnet/0.1.0";

    /// <summary>
    /// An access token (docs/security.md; minted by <c>tamtam token</c> or the gateway's <c>AccessTokenIssuer</c>),
    /// sent in HELLO; <see langword="null"/> connects anonymously, which only an interchange that allows it
    /// accepts. A refused token fails <see cref="TamTamClient.ConnectAsync"/> with
    /// <see cref="TamTamConnectionException"/> 201 (AUTH_FAILED) or 202 (TOKEN_EXPIRED). Send it over TLS only:
    /// whoever reads it may use it until it expires.
    /// </summary>
    public string? AuthToken { get; init; }

    /// <summary>
    /// For <c>tamtams://</c> and <c>wss://</c>: certificates the server's certificate must chain to, instead of the
    /// system's trusted roots — a private CA, or a self-signed server certificate itself. The host name is checked
    /// all the same; revocation is not (private CAs seldom publish it). <see langword="null"/> (default): the
    /// system's trust. Ignored when <see cref="ServerCertificateValidation"/> is set.
    /// </summary>
    public X509Certificate2Collection? TrustedServerCertificates { get; init; }

    /// <summary>
    /// For <c>tamtams://</c> and <c>wss://</c>: decides whether the server's certificate is accepted, given what
    /// the platform found wrong with it (<see cref="SslPolicyErrors"/>). Replaces every other check, so a callback
    /// that returns <see langword="true"/> without looking accepts any server: pinning a thumbprint is the usual
    /// use. <see langword="null"/> (default): <see cref="TrustedServerCertificates"/> or the system's trust.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>How long opening the transport plus the HELLO/WELCOME handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long <see cref="TamTamClient.DisposeAsync"/>, once it has sent what is buffered and ended its side of the
    /// connection, waits for the server to close the other. Closing sooner, with frames of the server's still
    /// unread, would reset the connection, and a reset can discard the client's last frames (its acknowledgements
    /// above all) before the server reads them; such a message is then delivered again. The gateway closes as soon
    /// as it has read everything, so the wait is one round trip.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a request (JOIN, BIND, SEND until ACCEPTED, PING, HEALTH, …) waits for its reply before it
    /// fails with a <see cref="TimeoutException"/>. <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// Waiting for a message's final status is not a request and has no timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="TamTamClient.SendAsync"/> keeps a message whose destination inbox is full (302
    /// QUOTA_EXCEEDED) and sends it again under the same id, rather than failing: the producer is paused
    /// until the consumers catch up, and nothing is dropped. The waits between attempts start at 10 ms and
    /// double up to 1 s. <see cref="TimeSpan.Zero"/> fails at once with 302; <see cref="Timeout.InfiniteTimeSpan"/>
    /// waits until the send's cancellation.
    /// </summary>
    public TimeSpan QuotaWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many received messages may wait ahead of <see cref="TamTamClient.ReceiveAsync"/> before the client
    /// logs (at debug level) that the application is behind. It is not a limit: the client never stops reading
    /// its connection for the application, since the replies to its own requests follow the deliveries there.
    /// The server bounds what can wait: it sends a node at most its delivery window of unacknowledged messages
    /// (<c>TamTam:Links:DeliveryWindow</c>, 512 by default), and the rest stays in the node's inbox.
    /// </summary>
    public int ReceiveBufferCapacity { get; init; } = 256;

    /// <summary>
    /// How many final statuses <see cref="TamTamClient.StatusesAsync"/> keeps for a slow reader; beyond it the
    /// oldest are dropped from that feed (never from <see cref="SendReceipt.Completion"/> or
    /// <see cref="TamTamClient.WaitForStatusAsync"/>).
    /// </summary>
    public int StatusBufferCapacity { get; init; } = 1_024;

    /// <summary>
    /// Automatic reconnection with session resume (on by default): attempts, backoff and jitter. Set
    /// <see cref="ReconnectOptions.Disabled"/> for a client that ends with its first connection.
    /// </summary>
    public ReconnectOptions Reconnect { get; init; } = new();

    /// <summary>Where the client logs; <see langword="null"/> logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Checks every value and names the first bad one.</summary>
    /// <exception cref="ArgumentException">A property holds a value the client cannot use.</exception>
    public void Validate()
    {
        if (Endpoints is { Count: > 0 } endpoints)
        {
            foreach (Uri endpoint in endpoints)
            {
                ValidateUri(endpoint, nameof(Endpoints));
            }
        }
        else
        {
            ValidateUri(Uri, nameof(Uri));
        }

        foreach (Uri endpoint in EndpointList())
        {
            if (TransportFactory is null && string.Equals(endpoint.Scheme, "memory", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{nameof(TamTamClientOptions)}: {endpoint} needs {nameof(TransportFactory)}: an in-memory connection is made by the embedder.", nameof(TransportFactory));
            }
        }

        if (ClientName is null || System.Text.Encoding.UTF8.GetByteCount(ClientName) > byte.MaxValue)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(ClientName)} must be set and at most 255 UTF-8 bytes.", nameof(ClientName));
        }

        if (AuthToken is not null && System.Text.Encoding.UTF8.GetByteCount(AuthToken) > ushort.MaxValue)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(AuthToken)} must be at most 65,535 UTF-8 bytes.", nameof(AuthToken));
        }

        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(CloseTimeout, nameof(CloseTimeout));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
        if (QuotaWait < TimeSpan.Zero && QuotaWait != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(QuotaWait)} must be zero, positive or infinite, not {QuotaWait}.", nameof(QuotaWait));
        }

        if (ReceiveBufferCapacity < 1)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(ReceiveBufferCapacity)} must be at least 1.", nameof(ReceiveBufferCapacity));
        }

        if (StatusBufferCapacity < 1)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(StatusBufferCapacity)} must be at least 1.", nameof(StatusBufferCapacity));
        }

        if (Reconnect is null)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(Reconnect)} is required (ReconnectOptions.Disabled turns it off).", nameof(Reconnect));
        }

        Reconnect.Validate();
    }

    /// <summary>The servers to try, in order: <see cref="Endpoints"/>, or <see cref="Uri"/> alone.</summary>
    internal IReadOnlyList<Uri> EndpointList() => Endpoints is { Count: > 0 } endpoints ? endpoints : [Uri];

    private void ValidateUri(Uri? uri, string name)
    {
        if (uri is null)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{name} is required (no null entries).", name);
        }

        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{name} {uri} must be absolute, e.g. tamtam://host:7420.", name);
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{name} must be positive or Timeout.InfiniteTimeSpan.", name);
        }
    }
}
