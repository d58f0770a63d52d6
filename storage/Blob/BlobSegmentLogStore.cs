using Microsoft.Extensions.Logging;
using TamTam.Storage.Blob.Internal;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob;

/// <summary>
/// Opens <see cref="ISegmentLog"/>s stored as append blobs under <c>logs/&lt;encoded name&gt;/</c> in the
/// configured container. Register it with <c>services.AddTamTamBlobStorage(...)</c>, or build one directly.
/// </summary>
/// <remarks>
/// Within this store a name maps to one open log, shared by reference-counted handles. Another store
/// (in this process or any other) opening the same log is refused while the log's lease is held; after
/// a crash, once it runs out (<see cref="BlobStorageOptions.LeaseDuration"/>) or, with an
/// <see cref="ILeaseHolderLiveness"/>, as soon as the holder is known to be dead.
/// </remarks>
public sealed class BlobSegmentLogStore : ISegmentLogStore, IAsyncDisposable
{
    /// <summary>The prefix of log blobs in the container.</summary>
    public const string LogsPrefix = "logs/";

    private readonly BlobStorageOptions _options;
    private readonly BlobContainer _container;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILeaseHolderLiveness? _liveness;
    private readonly SharedLogTable _logs;

    /// <summary>Creates a store over <paramref name="options"/>' container; sends nothing until a log is opened.</summary>
    /// <param name="options">The account and container.</param>
    /// <param name="metrics">Where the logs' metrics go.</param>
    /// <param name="logger">Where the logs' events go.</param>
    /// <param name="liveness">
    /// Records this process as the holder of each lease it takes, and tells whether another holder is dead, so that a
    /// crashed writer's lease is broken at once; null: such a lease runs out by itself.
    /// </param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public BlobSegmentLogStore(BlobStorageOptions options, StorageMetrics metrics, ILogger<BlobSegmentLogStore> logger, ILeaseHolderLiveness? liveness = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        BlobStorageOptionsValidator.ThrowIfInvalid(options);

        _options = options;
        _container = new BlobContainer(options);
        _metrics = metrics;
        _logger = logger;
        _liveness = liveness;
        _logs = new SharedLogTable(OpenOneAsync);
    }

    /// <summary>The blob-name prefix (ending in <c>/</c>) of the log called <paramref name="name"/>.</summary>
    public static string GetLogPrefix(string name) => LogsPrefix + PathNameEncoder.Encode(name) + "/";

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is checked before opening starts; the open itself (the lease,
    /// a listing and a scan of the last segment) is shared by concurrent openers and runs to completion.
    /// </remarks>
    /// <exception cref="IOException">The log is open in another store (its lease is held).</exception>
    public ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return _logs.OpenAsync(name, this);
    }

    /// <summary>Closes every log still open (releasing their leases); their handles throw <see cref="ObjectDisposedException"/> afterwards.</summary>
    public ValueTask DisposeAsync() => _logs.DisposeAsync();

    private async Task<ISegmentLog> OpenOneAsync(string name) =>
        await BlobSegmentLog.OpenAsync(name, _container, GetLogPrefix(name), _options, _metrics, _liveness, _logger).ConfigureAwait(false);
}
