using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Client.Events;
using TamTam.Client.Internal;
using TamTam.Client.Internal.Transfers;
using TamTam.Client.Internal.Transports;
using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// A node's session with a TamTam interchange. It is safe to use from many threads at once, and concurrent calls
/// share the connection: requests are pipelined and their frames batched into shared socket writes.
/// </summary>
/// <remarks>
/// Typical use: <see cref="ConnectAsync"/>, <see cref="JoinAsync"/> a link under a node name,
/// <see cref="BindAsync"/> the ports to receive on, then <see cref="SendAsync"/> and <see cref="ReceiveAsync"/>.
/// When the connection is lost the client reconnects and resumes the session (<see cref="TamTamClientOptions.Reconnect"/>):
/// sends in flight are sent again under the same message id, receive enumerations carry on, and
/// redeliveries of what the application already has are dropped. Requests other than sends that were in flight
/// on the lost connection fail with <see cref="TamTamConnectionException"/>; calls made while reconnecting wait
/// for the new connection. Once reconnecting gives up, everything fails with <see cref="TamTamReconnectException"/>.
/// </remarks>
public sealed partial class TamTamClient : IAsyncDisposable
{
    // Stream packets are not held by the server for a slow reader as deliveries are: what does not fit here is lost.
    private const int StreamBufferPackets = 65_536;

    private readonly TamTamClientOptions _options;
    private readonly EndpointRotation _endpoints;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly StatusTracker _statuses = new();
    private readonly DeliveryTracker _deliveries;
    private readonly Utf8NameEncoder _names = new();
    private readonly TimeOrderedIds _packetIds = new();
    private readonly TimeOrderedIds _messageIds = new();
    private readonly Channel<IncomingMessage> _inbox;
    private readonly Channel<MessageStatus> _statusFeed;
    private readonly StreamReceiver _streams;
    private readonly HeldPartedMessages _heldParted = new();
    private readonly PendingReplies _replies = new();
    private ClientConnection _connection;
    private TaskCompletionSource<ClientConnection> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reconnecting = Task.CompletedTask;
    private TamTamConnectionException? _failure;
    private int _disposing;

    // Resume attempts given up without an answer (the connect timeout ran out after the resume token was sent): each may
    // still take the session over at the server later, and so excuse one 213 (docs/protocol.md section 6.1).
    private int _resumesGivenUp;

    private TamTamClient(TamTamClientOptions options, EndpointRotation endpoints, IClientTransport transport, SessionTerms terms, ILogger logger)
    {
        _options = options;
        _endpoints = endpoints;
        _logger = logger;
        // Unbounded here because the server bounds it: a node has at most the server's delivery window of
        // unacknowledged messages, and a read loop that waited for room would leave replies unread behind them.
        _inbox = Channel.CreateUnbounded<IncomingMessage>(new UnboundedChannelOptions { SingleWriter = true });
        _statusFeed = Channel.CreateBounded<MessageStatus>(new BoundedChannelOptions(options.StatusBufferCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });

        _deliveries = new DeliveryTracker
        {
            SettlesWhileDisconnected = options.Reconnect.Enabled,
            Refused = args => Raise(AcknowledgementFailed, args, nameof(AcknowledgementFailed)),
        };
        _streams = new StreamReceiver(StreamBufferPackets);
        _connection = Open(transport, terms);
        _ready.SetResult(_connection);
    }

    /// <summary>The connection was lost; <see cref="TamTamDisconnectedEventArgs.WillReconnect"/> says whether the client reconnects.</summary>
    /// <remarks>Raised on a thread of the client's: keep handlers short, and do not wait in them for the client.</remarks>
    public event EventHandler<TamTamDisconnectedEventArgs>? Disconnected;

    /// <summary>
    /// The server refused an ACK or NACK of a delivered message: 501 when it could not make it durable. Nothing is
    /// lost and the application has nothing to redo: the message is delivered again once the server can take the
    /// answer, and the client answers that redelivery as the application did, without handing it out again.
    /// </summary>
    /// <remarks>Raised on the client's read loop: keep handlers short, and do not wait in them for the client.</remarks>
    public event EventHandler<TamTamAcknowledgementFailedEventArgs>? AcknowledgementFailed;

    /// <summary>The client is connected again and its session resumed (or, once it expired, re-joined).</summary>
    /// <remarks>Raised on a thread of the client's: keep handlers short.</remarks>
    public event EventHandler<TamTamReconnectedEventArgs>? Reconnected;

    /// <summary>The session's id, as WELCOME announced it; a resumed session keeps its id.</summary>
    public Guid SessionId => Volatile.Read(ref _connection).Terms.SessionId;

    /// <summary>The server's free-form identifier.</summary>
    public string ServerName => Volatile.Read(ref _connection).Terms.ServerName;

    /// <summary>The largest frame body the server accepts; a SEND whose payload does not fit fails with 303.</summary>
    public int MaxBody => Volatile.Read(ref _connection).Terms.MaxBody;

    /// <summary>How many SENDs may await ACCEPTED at once (0: the server set no limit). Further sends wait for a slot.</summary>
    public uint MaxInflight => Volatile.Read(ref _connection).Terms.MaxInflight;

    /// <summary>How long the server keeps this session for a resume after its connection is lost (from WELCOME).</summary>
    public TimeSpan SessionTimeout => Volatile.Read(ref _connection).Terms.SessionTimeout;

    /// <summary>
    /// The server this client is connected to (while reconnecting, the one it was connected to): one of
    /// <see cref="TamTamClientOptions.Endpoints"/> when several are configured.
    /// </summary>
    public Uri Uri => _endpoints.Current;

    /// <summary>The link joined by <see cref="JoinAsync"/>, or <see langword="null"/>.</summary>
    public string? Link { get; private set; }

    /// <summary>The node name joined under, or <see langword="null"/>.</summary>
    public string? Node { get; private set; }

    /// <summary>True while a connection is up; false while reconnecting and once the client has ended.</summary>
    public bool IsConnected => Volatile.Read(ref _failure) is null && Volatile.Read(ref _connection).IsOpen;

    /// <summary>
    /// Opens the transport named by <see cref="TamTamClientOptions.Uri"/> (or made by
    /// <see cref="TamTamClientOptions.TransportFactory"/>) and performs the HELLO/WELCOME handshake, all within
    /// <see cref="TamTamClientOptions.ConnectTimeout"/>. With several <see cref="TamTamClientOptions.Endpoints"/> it
    /// tries each in order, once, until one answers (a refusal such as 201 AUTH_FAILED ends the tries at once). The
    /// first connection is not retried beyond that: a failure here is the caller's to handle.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the property).</exception>
    /// <exception cref="TamTamConnectionException">The server refused the session (e.g. 201 AUTH_FAILED) or is unreachable.</exception>
    /// <exception cref="TimeoutException">The connection or handshake took longer than the connect timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static async ValueTask<TamTamClient> ConnectAsync(TamTamClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ILogger logger = options.LoggerFactory?.CreateLogger<TamTamClient>() ?? NullLogger<TamTamClient>.Instance;
        (IClientTransport transport, SessionTerms terms, EndpointRotation endpoints) =
            await DialFirstAsync(options, ReadOnlyMemory<byte>.Empty, logger, cancellationToken).ConfigureAwait(false);
        logger.Connected(endpoints.Current, terms.SessionId, terms.ServerName, terms.MaxBody, terms.MaxInflight);
        return new TamTamClient(options, endpoints, transport, terms, logger);
    }

    /// <summary>
    /// Sends what is buffered (acknowledgements above all), closes the connection and fails whatever is
    /// still pending with <see cref="TamTamConnectionException"/>; stops reconnecting. It does not LEAVE the link:
    /// the session stays resumable for the server's session timeout, and unacknowledged deliveries are delivered
    /// again. <see cref="ReceiveAsync"/> ends normally.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        var disposed = new TamTamConnectionException(ErrorCode.None, "the client was disposed");
        await _disposed.CancelAsync().ConfigureAwait(false);
        await _reconnecting.ConfigureAwait(false);
        ClientConnection connection = Volatile.Read(ref _connection);
        if (connection.IsOpen)
        {
            _logger.ConnectionClosed(Uri);
        }

        await connection.CloseAsync(disposed, _options.ConnectTimeout).ConfigureAwait(false);
        End(disposed);
        _disposed.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"TamTamClient {Uri} session {SessionId}";

    /// <summary>
    /// The first connection: each endpoint in order, once, until one answers. A failure another server could
    /// answer differently (unreachable, timed out, 211 draining) moves on; a refusal of this client ends the tries.
    /// </summary>
    private static async ValueTask<(IClientTransport Transport, SessionTerms Terms, EndpointRotation Endpoints)> DialFirstAsync(
        TamTamClientOptions options, ReadOnlyMemory<byte> resumeToken, ILogger logger, CancellationToken cancellationToken)
    {
        var endpoints = new EndpointRotation(options.EndpointList());
        for (int index = 0; ; index++)
        {
            try
            {
                (IClientTransport transport, SessionTerms terms) = await DialAsync(options, endpoints[index], resumeToken, cancellationToken).ConfigureAwait(false);
                endpoints.Settle(index);
                return (transport, terms, endpoints);
            }
            catch (Exception exception) when (index + 1 < endpoints.Count && !cancellationToken.IsCancellationRequested
                && (exception is TimeoutException || exception is TamTamConnectionException { Code: var code } && IsWorthRetrying(code)))
            {
                logger.EndpointUnavailable(endpoints[index], endpoints[index + 1], exception.Message);
            }
        }
    }

    /// <summary>Opens a transport to <paramref name="endpoint"/> and runs the handshake within the connect timeout.</summary>
    private static async ValueTask<(IClientTransport Transport, SessionTerms Terms)> DialAsync(TamTamClientOptions options, Uri endpoint,
        ReadOnlyMemory<byte> resumeToken, CancellationToken cancellationToken)
    {
        // The transports and the handshake read the endpoint (and the TLS host name) from Uri.
        options = options.Uri == endpoint ? options : options with { Uri = endpoint };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(options.ConnectTimeout);
        IClientTransport? transport = null;
        try
        {
            transport = await ClientTransports.ConnectAsync(options, connectTimeout.Token).ConfigureAwait(false);
            SessionTerms terms = await Handshake.RunAsync(transport, options, resumeToken, connectTimeout.Token).ConfigureAwait(false);
            return (transport, terms);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw new TimeoutException($"Connecting to {options.Uri} took longer than {options.ConnectTimeout}.", exception);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException)
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw new TamTamConnectionException(ErrorCode.None, $"connecting to {options.Uri} failed: {exception.Message}", exception);
        }
        catch
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IClientTransport? transport)
    {
        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a connection's loops; acknowledgements of held messages go to it from now on.</summary>
    private ClientConnection Open(IClientTransport transport, SessionTerms terms)
    {
        return new ClientConnection(_options, transport, terms, _logger, _clock, _statuses, _deliveries, _streams, _heldParted, _replies, _inbox,
            _statusFeed.Writer, OnConnectionLost);
    }

    /// <summary>
    /// The connection to use: the current one while it is open, else the next one once reconnecting succeeds.
    /// </summary>
    /// <exception cref="TamTamConnectionException">The client has ended (disposed, or reconnecting gave up).</exception>
    private ValueTask<ClientConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ClientConnection connection = Volatile.Read(ref _connection);
        if (connection.IsOpen)
        {
            return ValueTask.FromResult(connection);
        }

        Task<ClientConnection> ready;
        lock (_gate)
        {
            ready = _ready.Task;
        }

        return new ValueTask<ClientConnection>(ready.WaitAsync(cancellationToken));
    }

    /// <summary>True when a call that failed on <paramref name="connection"/> may go on with the next one.</summary>
    private bool MayRetryAfter(ClientConnection connection) =>
        _options.Reconnect.Enabled && !connection.IsOpen && Volatile.Read(ref _failure) is null && Volatile.Read(ref _disposing) == 0;

    /// <summary>Ends the client once: every waiter, buffer and feed learns why.</summary>
    private void End(TamTamConnectionException failure)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = failure;
            _ready.TrySetException(failure);
        }

        bool disposing = Volatile.Read(ref _disposing) != 0;
        _statuses.FailAll(failure);
        _inbox.Writer.TryComplete(disposing ? null : failure);
        _statusFeed.Writer.TryComplete(disposing ? null : failure);
        _streams.Complete(disposing ? null : failure);
        _heldParted.EndAll(failure);
    }

    private void ThrowIfClosed()
    {
        TamTamConnectionException? failure = Volatile.Read(ref _failure);
        if (failure is not null)
        {
            throw failure.Again();
        }
    }
}
