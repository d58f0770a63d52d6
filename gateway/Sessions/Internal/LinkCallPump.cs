namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// One kind of a session's batched link calls (SENDs, ACK/NACKs, STATUS_ACKs) with at most one call in flight.
/// The read loop queues items and starts the pump at the end of each read, and goes on reading while the call
/// waits for its group commit; what arrives meanwhile goes in the next call, so batches grow with the load.
/// One call at a time keeps the items' order.
/// </summary>
internal sealed class LinkCallPump<T>(Func<T[], Task> call, Action<Exception> failed)
{
    private readonly Lock _gate = new();
    private readonly List<T> _queued = [];
    private bool _running;
    private Task _current = Task.CompletedTask;

    public void Add(T item)
    {
        lock (_gate)
        {
            _queued.Add(item);
        }
    }

    /// <summary>Starts a call for what is queued, unless one is in flight (it takes the rest when it ends).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_running || _queued.Count == 0)
            {
                return;
            }

            _running = true;
        }

        Task run = RunAsync();
        lock (_gate)
        {
            _current = run;
        }
    }

    /// <summary>
    /// Completes once everything queued so far has been through its call: the run in flight takes every item
    /// queued before it ends. Called by the read loop (or after it ended), the only caller of <see cref="Start"/>.
    /// </summary>
    public Task DrainAsync()
    {
        Start();
        lock (_gate)
        {
            return _current;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            T[] batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }

                batch = [.. _queued];
                _queued.Clear();
            }

            try
            {
                await call(batch).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failed(exception);
            }
        }
    }
}
