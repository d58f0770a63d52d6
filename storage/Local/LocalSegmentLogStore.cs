using Microsoft.Extensions.Logging;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Local;

/// <summary>
/// Opens <see cref="ISegmentLog"/>s stored under <c>&lt;RootPath&gt;/logs/&lt;encoded name&gt;/</c>.
/// Register it with <c>services.AddTamTamLocalStorage(...)</c>, or build one directly.
/// </summary>
/// <remarks>
/// Within this store a name maps to one open log, shared by reference-counted handles: an owner
/// deactivating while its successor activates in the same process gets no lock conflict. Another
/// process (or another store over the same root) opening the same log is refused by the log's lock file.
/// </remarks>
public sealed class LocalSegmentLogStore : ISegmentLogStore, IAsyncDisposable
{
    /// <summary>The folder under <see cref="LocalStorageOptions.RootPath"/> that holds the logs.</summary>
    public const string LogsFolder = "logs";

    private readonly LocalStorageOptions _options;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SharedLog> _open = new(StringComparer.Ordinal);

    // Logs whose last handle was released and that are still closing: a new open waits for them, so
    // it never races the old instance for the lock file.
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates a store over <paramref name="options"/>' root; touches no files until a log is opened.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public LocalSegmentLogStore(LocalStorageOptions options, StorageMetrics metrics, ILogger<LocalSegmentLogStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        LocalStorageOptionsValidator.ThrowIfInvalid(options);

        _options = options;
        _metrics = metrics;
        _logger = logger;
        LogsPath = Path.Combine(Path.GetFullPath(options.RootPath), LogsFolder);
    }

    /// <summary>The absolute directory holding one sub-directory per log.</summary>
    public string LogsPath { get; }

    /// <summary>The directory that holds (or will hold) the log called <paramref name="name"/>.</summary>
    public string GetLogDirectory(string name) => Path.Combine(LogsPath, PathNameEncoder.Encode(name));

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is checked before opening starts; the open itself (a
    /// recovery scan of at most one segment) is shared by concurrent openers and runs to completion.
    /// </remarks>
    public async ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        var directory = GetLogDirectory(name);
        cancellationToken.ThrowIfCancellationRequested();

        SharedLog shared;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(name, out shared!))
            {
                var previousClose = _closing.GetValueOrDefault(name) ?? Task.CompletedTask;
                shared = new SharedLog(OpenAfterAsync(previousClose, name, directory));
                _open.Add(name, shared);
            }

            shared.Handles++;
        }

        LocalSegmentLog log;
        try
        {
            log = await shared.Opening.ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                if (--shared.Handles == 0 && _open.TryGetValue(name, out var current) && current == shared)
                {
                    _open.Remove(name);
                }
            }

            throw;
        }

        return new SegmentLogLease(log, () => ReleaseAsync(name, shared));
    }

    /// <summary>Closes every log still open; their handles throw <see cref="ObjectDisposedException"/> afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task<LocalSegmentLog>> opened;
        List<Task> closing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            opened = _open.Values.Select(s => s.Opening).ToList();
            closing = _closing.Values.ToList();
            _open.Clear();
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

    private async Task<LocalSegmentLog> OpenAfterAsync(Task previousClose, string name, string directory)
    {
        // If the old instance failed to close, its releaser was told; recovery below deals with
        // whatever it left on disk.
        await previousClose.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await LocalSegmentLog.OpenAsync(name, directory, _options, _metrics, _logger, CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(string name, SharedLog shared)
    {
        Task closing;
        lock (_gate)
        {
            if (--shared.Handles > 0 || !_open.TryGetValue(name, out var current) || current != shared)
            {
                // Still in use, or the store was disposed and closed it already.
                return;
            }

            _open.Remove(name);
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

    private sealed class SharedLog(Task<LocalSegmentLog> opening)
    {
        public Task<LocalSegmentLog> Opening { get; } = opening;

        public int Handles { get; set; }
    }
}
