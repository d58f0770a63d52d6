namespace TamTam.Gateway.Internal;

/// <summary>
/// Turns items queued one at a time into few calls: at most one call is in flight, and everything queued while it
/// runs goes in the next one, in the order it was queued. Batches grow with the load, and one call at a time keeps
/// the items' order.
/// </summary>
/// <remarks>
/// <para>A call that fails is handed to <c>failed</c> with its items, which are not retried; the loop goes on with
/// what was queued meanwhile.</para>
/// <para>With <c>inBackground</c> false a call starts on the thread of <see cref="Start"/> (up to its first wait),
/// and <see cref="Start"/> and <see cref="DrainAsync"/> are called by one thread at a time (a session's read loop).
/// With it true a call starts on the thread pool, so the caller never pays for starting one, and any thread may
/// call either.</para>
/// </remarks>
internal sealed class CoalescingCallQueue<T>(Func<T[], Task> call, Action<T[], Exception> failed, bool inBackground = false)
{
    private readonly Lock _gate = new();
    private readonly List<T> _queued = [];
    private bool _running;
    private Task _current = Task.CompletedTask;

    /// <summary>Queues <paramref name="item"/> for the next call; <see cref="Start"/> sends it.</summary>
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
        if (inBackground)
        {
            lock (_gate)
            {
                if (!_running && _queued.Count > 0)
                {
                    _running = true;
                    _current = Task.Run(RunAsync);
                }
            }

            return;
        }

        lock (_gate)
        {
            if (_running || _queued.Count == 0)
            {
                return;
            }

            _running = true;
        }

        // Outside the lock: the call runs on this thread until its first wait.
        Task run = RunAsync();
        lock (_gate)
        {
            _current = run;
        }
    }

    /// <summary>
    /// Completes once everything queued so far has been through its call (or failed to be): the run in flight takes
    /// every item queued before it ends.
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
                failed(batch, exception);
            }
        }
    }
}
