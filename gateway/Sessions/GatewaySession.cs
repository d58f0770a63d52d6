using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Security;
using TamTam.Gateway.Security.Internal;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Gateway.Streams;
using TamTam.Protocol;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Sessions;

/// <summary>
/// One client connection speaking the wire protocol, over any duplex pipe (TCP, Unix socket, WebSocket,
/// in-memory). It reads frames in batches, answers them through its <see cref="SessionOutput"/>, and ends
/// when the client closes, a fatal error occurs, a timer fires, or the server stops.
/// </summary>
/// <remarks>
/// Threads: the read loop runs frame handling one frame at a time; the keep-alive runs beside it. They
/// share only the output (gated), the counters (atomic) and <see cref="RequestClose"/> (first wins).
/// </remarks>
internal sealed class GatewaySession : IDisposable
{
    // How long the final ERROR may wait for a peer that is not reading before the connection is closed anyway.
    private static readonly TimeSpan FinalErrorTimeout = TimeSpan.FromSeconds(2);

    private readonly IDuplexPipe _transport;
    private readonly GatewayOptions _options;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SessionFrameDispatcher _dispatcher;
    private readonly SessionKeepAlive _keepAlive;
    private readonly UnfinishedFrameBudget _unfinishedFrames;
    private readonly CancellationTokenSource _closing = new();
    private UnfinishedFrame? _unfinished;
    private TaskCompletionSource? _welcomed;
    private int _handshake;
    private readonly long _openedAt;
    private CloseRequest? _closeRequest;
    private int _maxBody = ProtocolLimits.HandshakeMaxBody;
    private int _superseded;
    private readonly GatewayStreams? _streams;

    // Called last when the run ends, after the transport was completed: the host forgets the session and disposes it.
    private readonly Action<GatewaySession>? _ended;

    public GatewaySession(IDuplexPipe transport, string connectionId, GatewayOptions options, GatewayStatistics statistics,
        ILogger logger, TimeProvider timeProvider, IGrainFactory? grains, HelloAuthenticator authenticator, GatewayStreams? streams = null,
        IPayloadStore? payloads = null, UnfinishedFrameBudget? unfinishedFrames = null, Action<GatewaySession>? ended = null)
    {
        _ended = ended;
        _streams = streams;
        Grains = grains;
        Payloads = payloads;
        _transport = transport;
        ConnectionId = connectionId;
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _timeProvider = timeProvider;
        _openedAt = timeProvider.GetTimestamp();
        Output = new SessionOutput(transport.Output, statistics, Counters);
        _keepAlive = new SessionKeepAlive(this, timeProvider);
        _unfinishedFrames = unfinishedFrames ?? new UnfinishedFrameBudget(options.MaxUnfinishedFrameBytes);
        FrameRateLimiter? limiter = options.MaxFramesPerSecond > 0
            ? new FrameRateLimiter(options.MaxFramesPerSecond, options.FrameBurst, timeProvider)
            : null;
        _dispatcher = new SessionFrameDispatcher(this, options, statistics, logger, authenticator, limiter);
    }

    public string ConnectionId { get; }

    /// <summary>The messages' counters and spans.</summary>
    internal MessageTelemetry Messages => _statistics.Metrics.Messages;

    /// <summary>Reaches the link orchestrators; null for a gateway hosted without a cluster (links are then unavailable).</summary>
    public IGrainFactory? Grains { get; }

    /// <summary>Where parted payloads are staged and read back; null when the host has none (parts are then refused with 502).</summary>
    public IPayloadStore? Payloads { get; }

    public GatewayOptions Options => _options;

    /// <summary>The part size announced in WELCOME.</summary>
    public int PartSize { get; private set; }

    /// <summary>The session's link while it is joined; null before JOIN and after LEAVE.</summary>
    public SessionLink? Link { get; private set; }

    /// <summary>Streaming mode (STREAM publishing, port stream subscriptions), opened at the first use; null when the host has none.</summary>
    public SessionStreams? Streams => _sessionStreams ??= _streams?.Open(this, _logger);

    /// <summary><see cref="Streams"/> if it has been opened, without opening it.</summary>
    public SessionStreams? OpenedStreams => _sessionStreams;

    private SessionStreams? _sessionStreams;

    /// <summary>
    /// What the session's token allows, settled at WELCOME; <see langword="null"/> for an anonymous session,
    /// which is unrestricted (docs/security.md).
    /// </summary>
    public AccessToken? Access { get; private set; }

    /// <summary>The session's id, assigned at WELCOME (a resumed session keeps its id); empty before.</summary>
    public Guid SessionId { get; private set; }

    /// <summary>
    /// This connection's attachment to its link: a resumed session attaches again from a new connection under a
    /// new id, so a late call from the old connection (its DETACH) cannot touch the new one.
    /// </summary>
    public Guid AttachmentId { get; } = Guid.NewGuid();

    /// <summary>The session's resume token, settled at WELCOME.</summary>
    public ResumeToken ResumeToken { get; private set; }

    /// <summary>How long the link keeps the session's node after its connection ends (announced in WELCOME).</summary>
    public TimeSpan SessionTimeout => _options.SessionTimeout;

    public SessionState State { get; private set; } = SessionState.Connected;

    public SessionCounters Counters { get; } = new();

    public SessionOutput Output { get; }

    public SessionKeepAlive KeepAlive => _keepAlive;

    /// <summary>Whether a frame has begun to arrive and not yet ended (its time is bounded by <see cref="GatewayOptions.FrameTimeout"/>).</summary>
    public bool ReceivingFrame => Volatile.Read(ref _unfinished) is { InProgress: true };

    public TimeSpan Uptime => _timeProvider.GetElapsedTime(_openedAt);

    /// <summary>Completes when WELCOME has been sent; cancelled if the session ends before.</summary>
    /// <remarks>
    /// Its promise is made only for someone who waits before WELCOME (a resumed session's inbox, pushed as soon as the
    /// session attaches to its link): most sessions never wait on it, and an idle one holds nothing for it.
    /// </remarks>
    public Task Welcomed
    {
        get
        {
            switch (Volatile.Read(ref _handshake))
            {
                case Handshake.Welcomed:
                    return Task.CompletedTask;
                case Handshake.Ended:
                    return Task.FromCanceled(new CancellationToken(canceled: true));
            }

            TaskCompletionSource? welcomed = Volatile.Read(ref _welcomed);
            if (welcomed is null)
            {
                var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                welcomed = Interlocked.CompareExchange(ref _welcomed, made, null) ?? made;
            }

            // The handshake may have ended between the two reads; Welcome and RequestClose settle a promise they find.
            SettleWelcomed(welcomed);
            return welcomed.Task;
        }
    }

    /// <summary>Fires when the session starts closing; handlers pass it to anything they await.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>The wall clock as the protocol's <c>ts</c>: microseconds since 1970-01-01 UTC.</summary>
    public long NowMicroseconds() =>
        (_timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// Runs the session until it ends, then completes both sides of the transport. The server's stop reaches it as a
    /// <see cref="RequestClose"/> with <see cref="CloseRequest.ShuttingDown"/> (error 211), from its host or from
    /// <paramref name="closeRequested"/>.
    /// </summary>
    /// <param name="closeRequested">Fires when the transport wants the connection closed (its server stops): error 211.</param>
    public async Task RunAsync(CancellationToken closeRequested = default)
    {
        _keepAlive.Start();
        CancellationTokenRegistration onCloseRequested = closeRequested.UnsafeRegister(
            static session => ((GatewaySession)session!).RequestClose(CloseRequest.ShuttingDown), this);
        try
        {
            // The read loop, here rather than in a method of its own: each async method that waits holds its own state
            // for as long as the connection lasts, and an idle session is most of what a gateway holds.
            PipeReader input = _transport.Input;
            while (true)
            {
                ReadResult result = await input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                if (Volatile.Read(ref _closeRequest) is not null)
                {
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                int frames = 0;
                try
                {
                    // The frames of one read are answered into the output and flushed together below. The
                    // maximum body is read per frame: WELCOME raises it in the middle of a batch.
                    while (Volatile.Read(ref _closeRequest) is null && FrameReader.TryReadFrame(ref buffer, _maxBody, out Frame frame))
                    {
                        if (frames++ == 0)
                        {
                            // The idle limit counts whole frames: bytes trickling into one frame do not keep a connection alive.
                            _keepAlive.FrameReceived();
                        }

                        await _dispatcher.DispatchAsync(frame).ConfigureAwait(false);
                    }
                }
                catch (ProtocolException exception)
                {
                    // Only the header checks (100–103) throw out of the dispatcher, and all are fatal: the
                    // framing can no longer be trusted.
                    RequestClose(new CloseRequest(exception.Code, exception.Detail, exception.Correlation));
                }

                long pending = buffer.Length;
                input.AdvanceTo(buffer.Start, buffer.End);
                if (Volatile.Read(ref _closeRequest) is not null)
                {
                    return;
                }

                // The SENDs and ACKs of this read go to their links in one call each.
                await _dispatcher.EndOfBatchAsync().ConfigureAwait(false);

                await Output.FlushAsync(_closing.Token).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    if (pending > 0)
                    {
                        _logger.TransportTruncated(ConnectionId, pending);
                        RequestClose(new CloseRequest(ErrorCode.Truncated, $"the transport ended {pending} bytes into a frame", 0));
                    }

                    return;
                }

                // What is left is the start of one frame: it must end within the frame timeout, and its bytes count
                // against the gateway's budget for unfinished frames. Its tracker is made at the first such read.
                if (pending == 0 && _unfinished is null)
                {
                    continue;
                }

                UnfinishedFrame unfinished = _unfinished ??= new UnfinishedFrame(this, _unfinishedFrames, _options.FrameTimeout, _timeProvider);
                if (!unfinished.Update(pending, frames > 0))
                {
                    _logger.UnfinishedFramesOverBudget(ConnectionId, pending, _options.MaxUnfinishedFrameBytes);
                    RequestClose(new CloseRequest(ErrorCode.Unavailable, unfinished.OverBudgetDetail(pending), 0));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closeRequest is not null)
        {
            // A close was requested while the loop waited on the output.
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // Reset or aborted by the transport (Kestrel's ConnectionAbortedException is an OperationCanceledException).
            _logger.TransportFailed(exception, ConnectionId);
            RequestClose(CloseRequest.TransportFailed);
        }
#pragma warning disable CA1031 // A bug in one session must end that session, not the process or other sessions.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Fail(exception);
        }
        finally
        {
            await onCloseRequested.DisposeAsync().ConfigureAwait(false);
            RequestClose(CloseRequest.PeerClosed);
            await _keepAlive.DisposeAsync().ConfigureAwait(false);
            try
            {
                await CloseAsync(_closeRequest!).ConfigureAwait(false);
            }
            finally
            {
                _ended?.Invoke(this);
            }
        }
    }

    /// <summary>
    /// Asks the session to end. The first request wins; the read loop and any write waiting on the output
    /// are woken, and the session sends the request's ERROR (if any) with the FATAL flag before it closes.
    /// </summary>
    public void RequestClose(CloseRequest request)
    {
        if (Interlocked.CompareExchange(ref _closeRequest, request, null) is not null)
        {
            return;
        }

        // Nothing after Cancel touches the source: once Cancel has woken the session, it may end and dispose it before the
        // next line runs (seen when the frame timer closed a session).
        _closing.Cancel();
        EndHandshake(Handshake.Ended);
        _transport.Input.CancelPendingRead();
    }

    /// <summary>True once the session has begun to end (<see cref="RequestClose"/> was called).</summary>
    public bool IsClosing => Volatile.Read(ref _closeRequest) is not null;

    /// <summary>True once the session was resumed on another connection: this one ends with 213 and its SENDs go nowhere.</summary>
    public bool IsSuperseded => Volatile.Read(ref _superseded) != 0;

    /// <summary>
    /// The session was resumed on another connection, which holds the node now: this connection ends with the fatal
    /// error 213, and nothing it read and did not yet pass to the link is passed any more (docs/protocol.md section 6.1).
    /// </summary>
    public void Supersede()
    {
        if (Interlocked.Exchange(ref _superseded, 1) != 0)
        {
            return;
        }

        _logger.SessionSuperseded(ConnectionId);
        RequestClose(new CloseRequest(ErrorCode.SessionTakenOver,
            "the session was resumed on another connection; this connection no longer acts for it (do not resume it from here)", 0));
    }

    /// <summary>Ends the session after a failure that is the server's fault: logged, then ERROR 500 and close.</summary>
    public void Fail(Exception exception)
    {
        _logger.SessionFaulted(exception, ConnectionId);
        RequestClose(new CloseRequest(ErrorCode.Internal, "internal server error", 0));
    }

    /// <summary>
    /// Moves to <see cref="SessionState.Welcomed"/> as the session <paramref name="token"/> names, under
    /// <paramref name="terms"/> and <paramref name="access"/> (null: anonymous); called once WELCOME is written.
    /// </summary>
    public void Welcome(ResumeToken token, in SessionTerms terms, AccessToken? access)
    {
        SessionId = token.SessionId;
        ResumeToken = token;
        Access = access;
        PartSize = terms.PartSize;
        _maxBody = terms.MaxBody;
        Output.PeerMaxBody = terms.MaxBody;
        State = Link is null ? SessionState.Welcomed : SessionState.Joined;
        _statistics.SessionOpened();
        _keepAlive.Welcomed(terms.Heartbeat);
        EndHandshake(Handshake.Welcomed);
    }

    /// <summary>
    /// Ends the session with the fatal error 202 once its token has expired; true when it has. Checked on every
    /// heartbeat and before every request the token governs, so nothing is allowed after the expiry.
    /// </summary>
    public bool CloseIfAccessExpired()
    {
        if (Access is not { } access || !access.IsExpiredAt(_timeProvider.GetUtcNow()))
        {
            return false;
        }

        RequestClose(new CloseRequest(ErrorCode.TokenExpired, $"the access token expired at {access.ExpiresAt:u}; connect again with a new one", 0));
        return true;
    }

    /// <summary>Takes the identity <paramref name="token"/> names before WELCOME, for a resume; default undoes it.</summary>
    public void Assume(ResumeToken token)
    {
        SessionId = token.SessionId;
        ResumeToken = token;
    }

    /// <summary>A resumed session's link, attached before WELCOME; <see cref="Welcome"/> then moves to <see cref="SessionState.Joined"/>.</summary>
    public void Attached(SessionLink link) => Link = link;

    /// <summary>Moves to <see cref="SessionState.Joined"/> as a node of <paramref name="link"/>.</summary>
    public void Joined(SessionLink link)
    {
        Link = link;
        State = SessionState.Joined;
    }

    /// <summary>The station this session registered (docs/protocol.md section 5.18); null for a node's session.</summary>
    public SessionStation? Station { get; private set; }

    /// <summary>Moves to <see cref="SessionState.Station"/> once <paramref name="station"/> is registered.</summary>
    public void Registered(SessionStation station)
    {
        Station = station;
        State = SessionState.Station;
    }

    /// <summary>Back to <see cref="SessionState.Welcomed"/> after LEAVE.</summary>
    public void Left()
    {
        Link?.ReleaseReference();
        Link = null;
        State = SessionState.Welcomed;
    }

    /// <summary>Settles the handshake once, as WELCOME sent or as the session ended first, and the promise of it if one was made.</summary>
    private void EndHandshake(int end)
    {
        if (Interlocked.CompareExchange(ref _handshake, end, Handshake.Pending) == Handshake.Pending && Volatile.Read(ref _welcomed) is { } welcomed)
        {
            SettleWelcomed(welcomed);
        }
    }

    private void SettleWelcomed(TaskCompletionSource welcomed)
    {
        switch (Volatile.Read(ref _handshake))
        {
            case Handshake.Welcomed:
                welcomed.TrySetResult();
                break;
            case Handshake.Ended:
                welcomed.TrySetCanceled();
                break;
        }
    }

    public void Dispose()
    {
        _unfinished?.Dispose();
        _closing.Dispose();
        Output.Dispose();
    }

    private async Task CloseAsync(CloseRequest close)
    {
        if (close.SendsError)
        {
            _logger.ClosingWithError(ConnectionId, close.Code, close.Detail);
            using var timeout = new CancellationTokenSource(FinalErrorTimeout, _timeProvider);
            try
            {
                await Output.WriteErrorAsync(close.Code, close.Detail, fatal: true, close.Correlation, timeout.Token).ConfigureAwait(false);
                await Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _logger.FinalErrorNotDelivered(ConnectionId, (long)FinalErrorTimeout.TotalMilliseconds);
            }
            catch (IOException exception)
            {
                _logger.TransportFailed(exception, ConnectionId);
            }
        }

        await _transport.Input.CompleteAsync().ConfigureAwait(false);
        await _transport.Output.CompleteAsync().ConfigureAwait(false);

        // Its bytes went back to the transport's pool with the input.
        _unfinished?.Dispose();
        if (_sessionStreams is { } streams)
        {
            await streams.DisposeAsync().ConfigureAwait(false);
        }
        if (Link is { } link)
        {
            try
            {
                // The ACKs and STATUS_ACKs read before the end reach the link before the node is detached, and the
                // parts it confirmed of its parted deliveries are recorded before the link may deliver them again.
                await link.DrainAsync().ConfigureAwait(false);
                if (link.Transfers is { } transfers)
                {
                    await transfers.FlushProgressAsync().ConfigureAwait(false);
                }

                await link.DetachAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The node stays offline in its link either way: the link detaches it when its next push fails.
                _logger.LinkCallFailed(exception, ConnectionId, link.Link);
            }
        }

        if (Station is { } station)
        {
            try
            {
                await station.LeaveAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The interchange finds out otherwise: the links' next pushes to the station fail.
                _logger.StationCallFailed(exception, ConnectionId, station.Name, "-");
            }
        }

        if (State != SessionState.Connected)
        {
            _statistics.SessionClosed();
        }

        _logger.ConnectionClosed(ConnectionId, SessionId, (long)Uptime.TotalMilliseconds, close.Reason,
            Counters.FramesIn, Counters.FramesOut, Counters.Errors);
    }

    /// <summary>Where the handshake stands, for <see cref="Welcomed"/>.</summary>
    private static class Handshake
    {
        public const int Pending = 0;
        public const int Welcomed = 1;
        public const int Ended = 2;
    }
}
