namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// How many connections the gateway runs now, on every transport, handshake or not; a drain waits on it for the
/// sessions told 211 to end.
/// </summary>
internal sealed class OpenConnections
{
    private readonly Lock _gate = new();
    private int _open;
    private TaskCompletionSource? _none;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    public void Opened()
    {
        lock (_gate)
        {
            _open++;
        }
    }

    public void Closed()
    {
        TaskCompletionSource? none = null;
        lock (_gate)
        {
            if (--_open == 0)
            {
                (none, _none) = (_none, null);
            }
        }

        none?.TrySetResult();
    }

    /// <summary>Completes once no connection is open (at once when none is); cancelled by <paramref name="cancellationToken"/>.</summary>
    public Task WhenNoneAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_open == 0)
            {
                return Task.CompletedTask;
            }

            _none ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _none.Task.WaitAsync(cancellationToken);
        }
    }
}
