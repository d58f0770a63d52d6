using Microsoft.Extensions.Logging;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

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
    private readonly SharedLogTable _logs;

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
        _logs = new SharedLogTable(OpenOneAsync);
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
    public ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return _logs.OpenAsync(name, this);
    }

    /// <summary>Closes every log still open; their handles throw <see cref="ObjectDisposedException"/> afterwards.</summary>
    public ValueTask DisposeAsync() => _logs.DisposeAsync();

    private async Task<ISegmentLog> OpenOneAsync(string name) =>
        await LocalSegmentLog.OpenAsync(name, GetLogDirectory(name), _options, _metrics, _logger, CancellationToken.None).ConfigureAwait(false);
}
