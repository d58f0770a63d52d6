using System.Threading.Tasks.Sources;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// One request waiting for its reply, awaited as a <see cref="ValueTask{T}"/> without allocating: waiters
/// are pooled by their <see cref="RequestTable"/>. Exactly one party completes a waiter: the table (reply,
/// timeout, closed connection) after taking it out of the table, or the caller's cancellation token. Only a
/// waiter the table completed goes back to the pool; a cancelled one stays in the table until its reply or
/// deadline arrives and is then left to the collector.
/// </summary>
internal sealed class ReplyWaiter : IValueTaskSource<Reply>
{
    private const int Pending = 0;
    private const int CompletedByTable = 1;
    private const int CompletedByCancellation = 2;

    private readonly RequestTable _table;
    private ManualResetValueTaskSourceCore<Reply> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private int _state;

    public ReplyWaiter(RequestTable table) => _table = table;

    public uint Correlation { get; private set; }

    /// <summary>The frame type that answers the request (OK, ACCEPTED, PONG, HEALTH_REPORT); ERROR always may.</summary>
    public FrameType Request { get; private set; }

    public FrameType Expected { get; private set; }

    /// <summary><see cref="Environment.TickCount64"/> after which the request has timed out.</summary>
    public long Deadline { get; private set; }

    /// <summary>True for a SEND, which holds one of the server's in-flight slots until its reply.</summary>
    public bool HoldsSendPermit { get; private set; }

    public ValueTask<Reply> Task => new(this, _core.Version);

    public void Start(uint correlation, FrameType request, FrameType expected, long deadline, bool holdsSendPermit)
    {
        Correlation = correlation;
        Request = request;
        Expected = expected;
        Deadline = deadline;
        HoldsSendPermit = holdsSendPermit;
        _state = Pending;
    }

    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((ReplyWaiter)state!).Cancel(token), this);
        }
    }

    /// <summary>Called by the table once the waiter is out of it.</summary>
    public bool TrySetResult(in Reply reply)
    {
        if (Interlocked.CompareExchange(ref _state, CompletedByTable, Pending) != Pending)
        {
            return false;
        }

        _core.SetResult(reply);
        return true;
    }

    /// <summary>Called by the table once the waiter is out of it.</summary>
    public bool TrySetException(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _state, CompletedByTable, Pending) != Pending)
        {
            return false;
        }

        _core.SetException(exception);
        return true;
    }

    /// <summary>For a waiter the table took back before anyone awaited it: true when it may be pooled.</summary>
    public bool TryRetire()
    {
        _cancellation.Dispose();
        _cancellation = default;
        return Interlocked.CompareExchange(ref _state, CompletedByTable, Pending) == Pending;
    }

    public void Reset()
    {
        _core.Reset();
        Correlation = 0;
        HoldsSendPermit = false;
    }

    Reply IValueTaskSource<Reply>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _cancellation.Dispose();
            _cancellation = default;
            if (Volatile.Read(ref _state) == CompletedByTable)
            {
                _table.Return(this);
            }
        }
    }

    ValueTaskSourceStatus IValueTaskSource<Reply>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<Reply>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, CompletedByCancellation, Pending) == Pending)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }
}
