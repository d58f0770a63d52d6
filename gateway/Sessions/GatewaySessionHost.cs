using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Security;
using TamTam.Gateway.Security.Internal;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Gateway.Streams;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Sessions;

/// <summary>
/// Runs wire-protocol sessions for every transport. A transport (TCP, Unix socket, WebSocket, an in-memory
/// pipe) hands each accepted connection to <see cref="RunAsync"/> as an <see cref="IDuplexPipe"/>; the
/// protocol, limits, timers and authentication (<see cref="SecurityOptions"/>) are the same on all of them.
/// </summary>
public sealed class GatewaySessionHost : IDisposable
{
    private readonly GatewayOptions _options;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger<GatewaySessionHost> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenRegistration _stopping;
    private readonly IGrainFactory? _grains;
    private readonly HelloAuthenticator _authenticator;
    private readonly GatewayStreams? _streams;
    private readonly IPayloadStore? _payloads;
    private readonly UnfinishedFrameBudget _unfinishedFrames;
    private readonly OpenConnections _open = new();
    private int _draining;
    private readonly ConcurrentDictionary<GatewaySession, byte> _sessions = new();
    private readonly Action<GatewaySession> _sessionEnded;

    /// <param name="options">Limits and timers.</param>
    /// <param name="statistics">Running totals.</param>
    /// <param name="logger">Where sessions log.</param>
    /// <param name="timeProvider">The clock for timers, rate limits and token expiry.</param>
    /// <param name="lifetime">The host's lifetime: sessions end with 211 when it stops.</param>
    /// <param name="grains">The cluster's grains; without them links are unavailable (501).</param>
    /// <param name="security">Anonymous access and token keys; without them, anonymous sessions only.</param>
    /// <param name="streams">Streaming mode; without it STREAM is refused (501).</param>
    /// <param name="payloads">Where parted payloads are staged; without it, parted transfers are refused (502).</param>
    public GatewaySessionHost(IOptions<GatewayOptions> options, GatewayStatistics statistics, ILogger<GatewaySessionHost> logger,
        TimeProvider timeProvider, IHostApplicationLifetime? lifetime = null, IGrainFactory? grains = null,
        IOptions<SecurityOptions>? security = null, GatewayStreams? streams = null, IPayloadStore? payloads = null)
    {
        _grains = grains;
        _streams = streams;
        _payloads = payloads;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(statistics);
        _options = options.Value;
        _authenticator = new HelloAuthenticator(security?.Value ?? new SecurityOptions(), timeProvider);
        _statistics = statistics;
        _logger = logger;
        _timeProvider = timeProvider;
        _unfinishedFrames = new UnfinishedFrameBudget(_options.MaxUnfinishedFrameBytes, statistics.Metrics);
        _sessionEnded = SessionEnded;

        // One registration for all sessions, not one per session: the host tells each of them when it stops.
        _stopping = (lifetime?.ApplicationStopping ?? CancellationToken.None).UnsafeRegister(
            static host => ((GatewaySessionHost)host!).BeginDrain(), this);
    }

    /// <summary>
    /// A silo of the cluster died: every joined session joins its link again, in the background. A link whose activation
    /// died with the silo comes back on a live silo knowing none of its nodes' connections; joined again, it pushes them
    /// their held statuses and inboxes at once, with no client having to reconnect. A link that lives on is joined by the
    /// same connection again, which changes nothing there. Returns how many sessions were asked.
    /// </summary>
    public int RejoinLinks(string why)
    {
        int asked = 0;
        foreach (GatewaySession session in _sessions.Keys)
        {
            if (session.Link is { } link)
            {
                link.RequestRejoin(why);
                asked++;
            }
        }

        return asked;
    }

    /// <summary>
    /// Bytes held now by frames that connections have begun and not finished sending, all together; at most
    /// <see cref="GatewayOptions.MaxUnfinishedFrameBytes"/>.
    /// </summary>
    public long UnfinishedFrameBytes => _unfinishedFrames.Held;

    /// <summary>True once <see cref="BeginDrain"/> was called or the host began to stop.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>
    /// Tells every session 211 (SHUTTING_DOWN, fatal: resume on another server) and every connection from now on too,
    /// before its HELLO is read. A host calls it first when it stops; the host's stopping signal does the same.
    /// </summary>
    public void BeginDrain()
    {
        if (Interlocked.Exchange(ref _draining, 1) != 0)
        {
            return;
        }

        // A session that starts after this line sees IsDraining itself (RunAsync checks it once registered).
        foreach (GatewaySession session in _sessions.Keys)
        {
            session.RequestClose(CloseRequest.ShuttingDown);
        }
    }

    /// <summary>Releases the registration on the host's stopping signal; the host's container calls it when the host is disposed.</summary>
    public void Dispose() => _stopping.Dispose();

    /// <summary>Connections running now on every transport, those still before their handshake included.</summary>
    public int OpenConnections => _open.Count;

    /// <summary>
    /// Completes once no connection is open: a draining host waits on it after the stopping host told every session
    /// 211. Cancelled by <paramref name="cancellationToken"/>, the drain's bound.
    /// </summary>
    public Task WaitForConnectionsToCloseAsync(CancellationToken cancellationToken) => _open.WhenNoneAsync(cancellationToken);

    /// <summary>
    /// Runs one session over <paramref name="transport"/> until the client closes it, a fatal error or
    /// timeout ends it, or the host stops (the client then gets error 211). Completes both sides of the
    /// transport before it returns; never throws for anything the client sends.
    /// </summary>
    /// <param name="transport">The connection's bytes: frames are read from its input and written to its output.</param>
    /// <param name="connectionId">An id for logs, e.g. Kestrel's connection id.</param>
    /// <param name="transportName">The transport's name for logs: <c>tcp</c>, <c>unix</c>, <c>ws</c>, <c>memory</c>.</param>
    /// <param name="remote">The peer's address for logs, when the transport knows one.</param>
    /// <param name="closeRequested">Fires when the transport wants the connection closed (server shutdown): error 211.</param>
    public Task RunAsync(IDuplexPipe transport, string connectionId, string transportName, string? remote,
        CancellationToken closeRequested)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(connectionId);

        // Logged here, so that the session's run does not keep the names for as long as the connection lasts.
        _logger.ConnectionOpened(connectionId, transportName, remote ?? "-");
        return RunSessionAsync(transport, connectionId, closeRequested);
    }

    private Task RunSessionAsync(IDuplexPipe transport, string connectionId, CancellationToken closeRequested)
    {
        // The session ends itself (SessionEnded): the host waits on nothing of its own per connection, which an idle
        // connection would otherwise hold for as long as it lasts.
        var session = new GatewaySession(transport, connectionId, _options, _statistics, _logger, _timeProvider, _grains, _authenticator, _streams,
            _payloads, _unfinishedFrames, _sessionEnded);
        _open.Opened();
        _sessions.TryAdd(session, 0);

        // Once the host stops, a new connection is told 211 before its HELLO is read: it goes to another server. The
        // fence pairs with BeginDrain's: either it finds this session among the registered ones, or this finds it draining.
        Interlocked.MemoryBarrier();
        if (IsDraining)
        {
            session.RequestClose(CloseRequest.ShuttingDown);
        }

        return session.RunAsync(closeRequested);
    }

    private void SessionEnded(GatewaySession session)
    {
        _sessions.TryRemove(session, out _);
        _open.Closed();
        session.Dispose();
    }
}
