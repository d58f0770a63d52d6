using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The frame a session has begun to receive and not yet completely (docs/protocol.md, section 6.3): it must
/// arrive whole within <see cref="GatewayOptions.FrameTimeout"/> of its first byte, or the session closes with
/// error 210; and the bytes it holds count against the gateway's <see cref="UnfinishedFrameBudget"/>, beyond which
/// the session closes with error 501.
/// </summary>
/// <remarks>
/// Threads: <see cref="Update"/> and <see cref="Dispose"/> run on the read loop; the timer's callback only reads.
/// </remarks>
internal sealed class UnfinishedFrame : IDisposable
{
    private readonly GatewaySession _session;
    private readonly UnfinishedFrameBudget _budget;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private ITimer? _timer;
    private long _startedAt;
    private long _held;

    public UnfinishedFrame(GatewaySession session, UnfinishedFrameBudget budget, TimeSpan timeout, TimeProvider timeProvider)
    {
        _session = session;
        _budget = budget;
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    /// <summary>Whether a frame has begun and not ended; the idle limit leaves such a connection to the frame timeout.</summary>
    public bool InProgress => Volatile.Read(ref _startedAt) != 0;

    /// <summary>
    /// Called after each read with the <paramref name="pending"/> bytes left unconsumed, which are the start of one
    /// frame; <paramref name="framesEnded"/> tells that frames ended in this read, so those bytes begin a new frame.
    /// False when the budget cannot hold them: the caller closes the session.
    /// </summary>
    public bool Update(long pending, bool framesEnded)
    {
        if (pending == 0)
        {
            Stop();
            return true;
        }

        if (framesEnded || !InProgress)
        {
            Start();
        }

        long more = pending - _held;
        if (more > 0 && !_budget.TryHold(more))
        {
            return false;
        }

        if (more < 0)
        {
            _budget.Release(-more);
        }

        Volatile.Write(ref _held, pending);
        return true;
    }

    /// <summary>What the budget refusal says to the client.</summary>
    public string OverBudgetDetail(long pending) =>
        $"the server is out of buffer memory for unfinished frames ({pending} bytes of a frame received; {_budget.Held} of " +
        $"{_budget.Limit} bytes held by all connections); retry later";

    public void Dispose()
    {
        _timer?.Dispose();
        Volatile.Write(ref _startedAt, 0);
        _budget.Release(_held);
        _held = 0;
    }

    private void Start()
    {
        Volatile.Write(ref _startedAt, _timeProvider.GetTimestamp());
        if (_timer is null)
        {
            _timer = _timeProvider.CreateTimer(static state => ((UnfinishedFrame)state!).Check(), this, _timeout, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Stop()
    {
        if (!InProgress)
        {
            return;
        }

        Volatile.Write(ref _startedAt, 0);
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _budget.Release(_held);
        _held = 0;
    }

    private void Check()
    {
        long startedAt = Volatile.Read(ref _startedAt);
        if (startedAt == 0)
        {
            return;
        }

        // The frame that armed the timer may have ended and another begun since: that one gets the rest of its time.
        TimeSpan elapsed = _timeProvider.GetElapsedTime(startedAt);
        if (elapsed < _timeout)
        {
            try
            {
                _timer?.Change(_timeout - elapsed, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The session ended meanwhile.
            }

            return;
        }

        _session.RequestClose(new CloseRequest(ErrorCode.IdleTimeout,
            $"a frame was still incomplete {(long)elapsed.TotalMilliseconds} ms after its first byte ({Volatile.Read(ref _held)} bytes received; " +
            $"the limit is {(long)_timeout.TotalMilliseconds} ms)", 0));
    }
}
