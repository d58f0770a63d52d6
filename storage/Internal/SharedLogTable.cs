namespace TamTam.Storage.Internal;

/// <summary>
/// The open logs of one store, by name, shared by reference-counted handles: an owner deactivating
/// while its successor activates in the same process gets no conflict with itself. A log whose last
/// handle was released is closed, and a new open of that name waits for the close to finish, so it
/// never races the old instance for the backend's lock (a lock file, a blob lease).
/// </summary>
internal sealed class SharedLogTable
{
    private readonly Func<string, Task<ISegmentLog>> _open;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SharedLog> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <param name="open">Opens the one instance of a log (recovering it); called once per name at a time.</param>
    public SharedLogTable(Func<string, Task<ISegmentLog>> open)
    {
        _open = open;
    }

    /// <summary>A new handle on the log <paramref name="name"/>, opening it if no handle is held.</summary>
    public async ValueTask<ISegmentLog> OpenAsync(string name, object owner)
    {
        SharedLog shared;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, owner);
            if (!_logs.TryGetValue(name, out shared!))
            {
                var previousClose = _closing.GetValueOrDefault(name) ?? Task.CompletedTask;
                shared = new SharedLog(OpenAfterAsync(previousClose, name));
                _logs.Add(name, shared);
            }

            shared.Handles++;
        }

        ISegmentLog log;
        try
        {
            log = await shared.Opening.ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                if (--shared.Handles == 0 && _logs.TryGetValue(name, out var current) && current == shared)
                {
                    _logs.Remove(name);
                }
            }

            throw;
        }

        return new SegmentLogHandle(log, () => ReleaseAsync(name, shared));
    }

    /// <summary>Closes every log still open; their handles throw <see cref="ObjectDisposedException"/> afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task<ISegmentLog>> opened;
        List<Task> closing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            opened = new List<Task<ISegmentLog>>(_logs.Count);
            foreach (var shared in _logs.Values)
            {
                opened.Add(shared.Opening);
            }

            closing = new List<Task>(_closing.Values);
            _logs.Clear();
        }

        foreach (var opening in opened)
        {
            // A failed open was already reported to its callers; there is nothing to close.
            await ((Task)opening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (opening.IsCompletedSuccessfully)
            {
                await opening.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        // Failures of closes in flight are reported to the handles that released them.
        await Task.WhenAll(closing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<ISegmentLog> OpenAfterAsync(Task previousClose, string name)
    {
        // If the old instance failed to close, its releaser was told; recovery deals with what it left.
        await previousClose.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await _open(name).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(string name, SharedLog shared)
    {
        Task closing;
        lock (_gate)
        {
            if (--shared.Handles > 0 || !_logs.TryGetValue(name, out var current) || current != shared)
            {
                // Still in use, or the store was disposed and closed it already.
                return;
            }

            _logs.Remove(name);
            closing = CloseAsync(shared);
            _closing[name] = closing;
        }

        try
        {
            await closing.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                if (_closing.TryGetValue(name, out var current) && current == closing)
                {
                    _closing.Remove(name);
                }
            }
        }
    }

    private static async Task CloseAsync(SharedLog shared)
    {
        var log = await shared.Opening.ConfigureAwait(false);
        await log.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class SharedLog(Task<ISegmentLog> opening)
    {
        public Task<ISegmentLog> Opening { get; } = opening;

        public int Handles { get; set; }
    }
}
