using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A session's timers (docs/protocol.md, section 6.3): closes a connection that sends no HELLO within the
/// handshake timeout, PINGs every heartbeat after WELCOME, measures the round trip from the client's PONG,
/// closes a connection on which no frame was received for three heartbeats (error 210), and one whose access
/// token has expired (error 202, within one heartbeat of the expiry).
/// </summary>
/// <remarks>
/// One timer of the session's <see cref="TimeProvider"/> does all of it, and holds nothing between its ticks: an idle
/// session is most of what a gateway holds, so its timers cost one timer object rather than a loop waiting on a
/// periodic timer (an async state machine, a task, a cancellation registration each). A tick only checks clocks; the
/// PING it sends is the one thing that may wait, and a tick while a PING still waits for a stalled output sends none.
/// </remarks>
internal sealed class SessionKeepAlive : IAsyncDisposable
{
    /// <summary>A connection is idle after this many heartbeats without a frame received.</summary>
    public const int IdleHeartbeats = 3;

    private readonly GatewaySession _session;
    private readonly TimeProvider _timeProvider;
    private ITimer? _timer;
    private Task? _ping;
    private long _heartbeatTicks;
    private long _lastReceived;
    private long _rttMicroseconds = -1;
    private int _nextCorrelation;

    // The PING awaiting its PONG: its correlation (0: none), written after the time it was sent. A PONG takes the
    // correlation back to 0 before it reads the time, and the next PING is one heartbeat away.
    private int _pendingCorrelation;
    private long _pendingSentAt;

    public SessionKeepAlive(GatewaySession session, TimeProvider timeProvider)
    {
        _session = session;
        _timeProvider = timeProvider;
        _lastReceived = timeProvider.GetTimestamp();
    }

    /// <summary>The last measured round trip in microseconds, or -1 before the first PONG.</summary>
    public long RoundTripMicroseconds => Volatile.Read(ref _rttMicroseconds);

    /// <summary>Called by the read loop when a read brought at least one whole frame.</summary>
    public void FrameReceived() => Volatile.Write(ref _lastReceived, _timeProvider.GetTimestamp());

    /// <summary>Starts the handshake's timer: the session closes with 210 unless <see cref="Welcomed"/> comes within the handshake timeout.</summary>
    public void Start() =>
        _timer = _timeProvider.CreateTimer(static state => ((SessionKeepAlive)state!).Tick(), this, _session.Options.HandshakeTimeout,
            Timeout.InfiniteTimeSpan);

    /// <summary>WELCOME was sent: from now on the timer ticks every <paramref name="heartbeat"/>.</summary>
    public void Welcomed(TimeSpan heartbeat)
    {
        Volatile.Write(ref _heartbeatTicks, heartbeat.Ticks);
        _timer?.Change(heartbeat, heartbeat);
    }

    /// <summary>A PONG arrived; if it answers our outstanding PING, it gives the round trip.</summary>
    public void PongReceived(uint correlation)
    {
        // The PING it answers is taken once: a second PONG with the same correlation measures nothing.
        if (correlation == 0 || Interlocked.CompareExchange(ref _pendingCorrelation, 0, (int)correlation) != (int)correlation)
        {
            return;
        }

        // Measured on our monotonic clock rather than from the echoed wall-clock time: the same round
        // trip for a conforming client, and immune to clock steps.
        long microseconds = _timeProvider.GetElapsedTime(Volatile.Read(ref _pendingSentAt)).Ticks / TimeSpan.TicksPerMicrosecond;
        Volatile.Write(ref _rttMicroseconds, microseconds);

        // NODES reports it from the link (docs/protocol.md 5.17); 0 there means "not known", so a measured one is at least 1.
        _session.Link?.ReportRoundTrip((uint)Math.Clamp(microseconds, 1, uint.MaxValue));
    }

    /// <summary>
    /// Stops the timer once the session is closing: no tick runs after this completes, and the PING that was being
    /// written (cancelled by the session's close) has ended, so the session's final ERROR is the last frame it writes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        if (Volatile.Read(ref _ping) is { } ping)
        {
            await ping.ConfigureAwait(false);
        }
    }

    private void Tick()
    {
        try
        {
            if (_session.IsClosing)
            {
                return;
            }

            long heartbeatTicks = Volatile.Read(ref _heartbeatTicks);
            if (heartbeatTicks == 0)
            {
                // The handshake's timer: no WELCOME yet.
                _session.RequestClose(new CloseRequest(ErrorCode.IdleTimeout,
                    $"no HELLO within {(long)_session.Options.HandshakeTimeout.TotalMilliseconds} ms", 0));
                return;
            }

            if (_session.CloseIfAccessExpired())
            {
                return;
            }

            // A frame on its way is bounded by the frame timeout instead: a large one on a slow link may take longer
            // than three short heartbeats.
            var interval = TimeSpan.FromTicks(heartbeatTicks);
            TimeSpan idle = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastReceived));
            if (idle >= interval * IdleHeartbeats && !_session.ReceivingFrame)
            {
                _session.RequestClose(new CloseRequest(ErrorCode.IdleTimeout,
                    $"no frame received for {(long)idle.TotalMilliseconds} ms ({IdleHeartbeats} heartbeats of {(long)interval.TotalMilliseconds} ms)", 0));
                return;
            }

            // The last PING still waits for a stalled output: the idle check above goes on, and no second one queues behind it.
            if (Volatile.Read(ref _ping) is { IsCompleted: false })
            {
                return;
            }

            Task ping = PingAsync();
            Volatile.Write(ref _ping, ping.IsCompleted ? null : ping);
        }
#pragma warning disable CA1031 // The keep-alive's own bug ends its session, never the process.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _session.Fail(exception);
        }
    }

    private async Task PingAsync()
    {
        // Correlations are ours to choose in this direction; 0 means "not a request".
        uint correlation = (uint)Interlocked.Increment(ref _nextCorrelation);
        if (correlation == 0)
        {
            correlation = (uint)Interlocked.Increment(ref _nextCorrelation);
        }

        Volatile.Write(ref _pendingSentAt, _timeProvider.GetTimestamp());
        Volatile.Write(ref _pendingCorrelation, (int)correlation);

        // A peer that does not read its socket stalls the output, and this PING with it, until the session closes: the
        // ticks go on meanwhile, send no other PING, and close the session once it has been idle for three heartbeats.
        try
        {
            await _session.Output.SendAsync(new PingFrame(_session.NowMicroseconds()), correlation, _session.Closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session is closing.
        }
        catch (IOException)
        {
            _session.RequestClose(CloseRequest.TransportFailed);
        }
#pragma warning disable CA1031 // The keep-alive's own bug ends its session, never the process.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _session.Fail(exception);
        }
    }
}
