using System.Diagnostics.CodeAnalysis;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// Maps correlation ids to the requests waiting for their replies, so any number of requests share the
/// connection and replies may come back in any order. It also keeps the client within the server's
/// <c>max_inflight</c>: a SEND takes a permit before it is written and gives it back when its ACCEPTED or
/// ERROR arrives (or it times out), whether or not its caller is still waiting.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "SemaphoreSlim owns an unmanaged handle only once AvailableWaitHandle is read, which never happens here; "
        + "disposing it would make a permit returned by a sender racing the client's disposal throw.")]
internal sealed class RequestTable
{
    private const int PoolCapacity = 1_024;

    private readonly Lock _gate = new();
    private readonly Dictionary<uint, ReplyWaiter> _pending = [];
    private readonly Stack<ReplyWaiter> _pool = new();
    private readonly List<ReplyWaiter> _expired = [];
    private readonly List<(FrameType Request, uint Correlation)> _expiredRequests = [];
    private readonly SemaphoreSlim _sendPermits;
    private readonly CancellationToken _closing;
    private readonly long _timeoutMs;
    private uint _lastCorrelation;
    private TamTamConnectionException? _failure;

    /// <param name="maxInflight">The server's max_inflight; 0 is taken as "no limit announced".</param>
    /// <param name="timeout">How long a request waits for its reply.</param>
    /// <param name="lastUsedCorrelation">The correlation already used (by HELLO); requests count on from it.</param>
    /// <param name="closing">Cancelled when the connection ends, releasing senders waiting for a permit.</param>
    public RequestTable(uint maxInflight, TimeSpan timeout, uint lastUsedCorrelation, CancellationToken closing)
    {
        _sendPermits = new SemaphoreSlim(maxInflight is 0 or > int.MaxValue ? int.MaxValue : (int)maxInflight);
        Timeout = timeout;
        _timeoutMs = timeout == System.Threading.Timeout.InfiniteTimeSpan ? -1 : (long)Math.Ceiling(timeout.TotalMilliseconds);
        _lastCorrelation = lastUsedCorrelation;
        _closing = closing;
    }

    public TimeSpan Timeout { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Waits for one of the server's in-flight slots. Allocation-free while slots are free.</summary>
    public ValueTask AcquireSendPermitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        return _sendPermits.Wait(0, cancellationToken) ? ValueTask.CompletedTask : WaitForPermitAsync(cancellationToken);
    }

    public ReplyWaiter Register(FrameType request, FrameType expected, bool holdsSendPermit, CancellationToken cancellationToken)
    {
        ReplyWaiter waiter;
        lock (_gate)
        {
            if (_failure is not null)
            {
                if (holdsSendPermit)
                {
                    _sendPermits.Release();
                }

                throw _failure.Again();
            }

            uint correlation = NextCorrelation();
            waiter = _pool.Count > 0 ? _pool.Pop() : new ReplyWaiter(this);
            long deadline = _timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + _timeoutMs;
            waiter.Start(correlation, request, expected, deadline, holdsSendPermit);
            _pending.Add(correlation, waiter);
        }

        waiter.WatchCancellation(cancellationToken);
        return waiter;
    }

    /// <summary>
    /// A correlation for a request answered outside this table: a parted SEND, whose ACCEPTED comes only after its
    /// upload, however long that takes, so it must not be timed out here.
    /// </summary>
    public uint ReserveCorrelation()
    {
        lock (_gate)
        {
            return NextCorrelation();
        }
    }

    /// <summary>Completes the request <paramref name="correlation"/> with its reply; false when none waits.</summary>
    public bool TryComplete(uint correlation, in Reply reply)
    {
        ReplyWaiter? waiter = Take(correlation);
        if (waiter is null)
        {
            return false;
        }

        if (reply.Type != waiter.Expected)
        {
            waiter.TrySetException(new TamTamException(ErrorCode.UnexpectedFrame,
                $"{waiter.Request.WireName()} was answered with {reply.Type.WireName()} instead of {waiter.Expected.WireName()}"));
        }
        else
        {
            waiter.TrySetResult(reply);
        }

        return true;
    }

    /// <summary>Fails the request <paramref name="correlation"/>; false when none waits.</summary>
    public bool TryFail(uint correlation, Exception exception)
    {
        ReplyWaiter? waiter = Take(correlation);
        waiter?.TrySetException(exception);
        return waiter is not null;
    }

    /// <summary>Takes back a request whose frame could not be written.</summary>
    public void Abandon(ReplyWaiter waiter)
    {
        bool removed;
        lock (_gate)
        {
            removed = _pending.Remove(waiter.Correlation);
        }

        if (removed && waiter.HoldsSendPermit)
        {
            _sendPermits.Release();
        }

        if (waiter.TryRetire())
        {
            Return(waiter);
        }
    }

    /// <summary>Fails every request whose deadline has passed with a <see cref="TimeoutException"/>.</summary>
    /// <returns>The requests that timed out, valid until the next call. Called from one loop only.</returns>
    public IReadOnlyList<(FrameType Request, uint Correlation)> ExpireOverdue(long now)
    {
        _expired.Clear();
        _expiredRequests.Clear();
        if (_timeoutMs < 0)
        {
            return _expiredRequests;
        }

        int permits = 0;
        lock (_gate)
        {
            foreach (ReplyWaiter waiter in _pending.Values)
            {
                if (now >= waiter.Deadline)
                {
                    _expired.Add(waiter);
                }
            }

            foreach (ReplyWaiter waiter in _expired)
            {
                _pending.Remove(waiter.Correlation);
                permits += waiter.HoldsSendPermit ? 1 : 0;
            }
        }

        ReleasePermits(permits);
        foreach (ReplyWaiter waiter in _expired)
        {
            // Read before completing: a completed waiter may go back to the pool and be reused at once.
            _expiredRequests.Add((waiter.Request, waiter.Correlation));
            waiter.TrySetException(new TimeoutException($"{waiter.Request.WireName()} got no reply within {Timeout}."));
        }

        _expired.Clear();
        return _expiredRequests;
    }

    /// <summary>Fails every pending and later request with <paramref name="failure"/>.</summary>
    public void FailAll(TamTamConnectionException failure)
    {
        ReplyWaiter[] waiters;
        lock (_gate)
        {
            _failure ??= failure;
            waiters = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (ReplyWaiter waiter in waiters)
        {
            waiter.TrySetException(failure.Again());
        }
    }

    public void Return(ReplyWaiter waiter)
    {
        waiter.Reset();
        lock (_gate)
        {
            if (_pool.Count < PoolCapacity)
            {
                _pool.Push(waiter);
            }
        }
    }

    private ReplyWaiter? Take(uint correlation)
    {
        if (correlation == 0)
        {
            return null;
        }

        ReplyWaiter? waiter;
        lock (_gate)
        {
            if (!_pending.Remove(correlation, out waiter))
            {
                return null;
            }
        }

        if (waiter.HoldsSendPermit)
        {
            _sendPermits.Release();
        }

        return waiter;
    }

    private uint NextCorrelation()
    {
        // 0 means "not a request"; after 2^32 requests the counter wraps and skips ids still waiting.
        do
        {
            _lastCorrelation = unchecked(_lastCorrelation + 1);
        }
        while (_lastCorrelation == 0 || _lastCorrelation == StreamReceiver.Correlation || _pending.ContainsKey(_lastCorrelation));

        return _lastCorrelation;
    }

    private void ReleasePermits(int count)
    {
        if (count > 0)
        {
            _sendPermits.Release(count);
        }
    }

    private void ThrowIfFailed()
    {
        TamTamConnectionException? failure = Volatile.Read(ref _failure);
        if (failure is not null)
        {
            throw failure.Again();
        }
    }

    private async ValueTask WaitForPermitAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing);
        try
        {
            await _sendPermits.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ThrowIfFailed();
            throw;
        }
    }
}
