using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A session's timers (docs/protocol.md, section 6.3): closes a connection that sends no HELLO within the
/// handshake timeout, PINGs every heartbeat after WELCOME, measures the round trip from the client's PONG,
/// closes a connection on which no frame was received for three heartbeats (error 210), and one whose access
/// token has expired (error 202, within one heartbeat of the expiry).
/// </summary>
internal sealed class SessionKeepAlive
{
    /// <summary>A connection is idle after this many heartbeats without a frame received.</summary>
    public const int IdleHeartbeats = 3;

    private readonly GatewaySession _session;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _pingLock = new();
    private long _lastReceived;
    private long _rttMicroseconds = -1;
    private uint _nextCorrelation;
    private uint _pendingCorrelation;
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

    /// <summary>A PONG arrived; if it answers our outstanding PING, it gives the round trip.</summary>
    public void PongReceived(uint correlation)
    {
        long microseconds;
        lock (_pingLock)
        {
            if (correlation == 0 || correlation != _pendingCorrelation)
            {
                return;
            }

            // Measured on our monotonic clock rather than from the echoed wall-clock time: the same round
            // trip for a conforming client, and immune to clock steps.
            TimeSpan rtt = _timeProvider.GetElapsedTime(_pendingSentAt);
            microseconds = rtt.Ticks / TimeSpan.TicksPerMicrosecond;
            Volatile.Write(ref _rttMicroseconds, microseconds);
            _pendingCorrelation = 0;
        }

        // NODES reports it from the link (docs/protocol.md 5.17); 0 there means "not known", so a measured one is at least 1.
        _session.Link?.ReportRoundTrip((uint)Math.Clamp(microseconds, 1, uint.MaxValue));
    }

    /// <summary>Runs until the session closes; never throws.</summary>
    public async Task RunAsync(TimeSpan handshakeTimeout, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await _session.Welcomed.WaitAsync(handshakeTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _session.RequestClose(new CloseRequest(ErrorCode.IdleTimeout,
                    $"no HELLO within {(long)handshakeTimeout.TotalMilliseconds} ms", 0));
                return;
            }

            await HeartbeatAsync(_session.Heartbeat, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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

    private async Task HeartbeatAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        TimeSpan idleLimit = interval * IdleHeartbeats;
        using var timer = new PeriodicTimer(interval, _timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_session.CloseIfAccessExpired())
            {
                return;
            }

            // A frame on its way is bounded by the frame timeout instead: a large one on a slow link may take longer
            // than three short heartbeats.
            TimeSpan idle = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastReceived));
            if (idle >= idleLimit && !_session.ReceivingFrame)
            {
                _session.RequestClose(new CloseRequest(ErrorCode.IdleTimeout,
                    $"no frame received for {(long)idle.TotalMilliseconds} ms ({IdleHeartbeats} heartbeats of {(long)interval.TotalMilliseconds} ms)", 0));
                return;
            }

            await PingAsync(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PingAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        uint correlation;
        lock (_pingLock)
        {
            // Correlations are ours to choose in this direction; 0 means "not a request".
            correlation = ++_nextCorrelation == 0 ? ++_nextCorrelation : _nextCorrelation;
            _pendingCorrelation = correlation;
            _pendingSentAt = _timeProvider.GetTimestamp();
        }

        // A peer that does not read its socket stalls the output; give up this PING after one interval so
        // that the idle check above keeps running.
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(interval);
        try
        {
            await _session.Output.SendAsync(new PingFrame(_session.NowMicroseconds()), correlation, stalled.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The output is stalled; the PING goes out with the next flush, or the session times out.
        }
    }
}
