using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage.Blob.Internal;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob;

/// <summary>
/// Orleans grain storage on Azure Blob Storage: one block blob per (state name, grain id) at
/// <c>grains/&lt;encoded state name&gt;/&lt;encoded grain id&gt;</c>, replaced whole by every write.
/// </summary>
/// <remarks>
/// <para>
/// The ETag is the blob's. Every write is conditional: <c>If-None-Match: *</c> when the activation
/// holds no ETag (the state must not exist), <c>If-Match</c> otherwise; a clear is a delete under
/// <c>If-Match</c> (or, without an ETag, a check that nothing is stored). When the condition fails the write throws <see cref="InconsistentStateException"/>
/// and Orleans deactivates the stale activation, as with <c>LocalDirectoryGrainStorage</c>. Unlike the
/// local directory, this holds across silos: the service checks the condition.
/// </para>
/// <para>
/// The blob holds the serialized state as is; its metadata carries the CRC-32C of those bytes, checked
/// on every read. Register with <c>AddBlobGrainStorage</c> or <c>AddBlobGrainStorageAsDefault</c>.
/// </para>
/// </remarks>
public sealed class BlobGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The prefix of grain-state blobs in the container.</summary>
    public const string GrainsPrefix = "grains/";

    /// <summary>The metadata key that holds the CRC-32C (8 hex digits) of the stored state.</summary>
    public const string CrcMetadataKey = "tamtamcrc32c";

    private const string ContentType = "application/octet-stream";

    private readonly string _name;
    private readonly BlobStorageOptions _options;
    private readonly BlobContainer _container;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the storage called <paramref name="name"/>; sends nothing until the silo starts or a state is used.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public BlobGrainStorage(
        string name,
        BlobStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activators,
        StorageMetrics metrics,
        ILogger<BlobGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        BlobStorageOptionsValidator.ThrowIfInvalid(options, name);

        _name = name;
        _options = options;
        _container = new BlobContainer(options);
        _serializer = serializer;
        _activators = activators;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The name of the blob that holds (or would hold) the state <paramref name="stateName"/> of <paramref name="grainId"/>.</summary>
    public static string GetBlobName(string stateName, GrainId grainId) =>
        GrainsPrefix + PathNameEncoder.Encode(stateName) + "/" + PathNameEncoder.Encode(grainId.ToString());

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var name = GetBlobName(stateName, grainId);

        BlobDownloadResult download;
        try
        {
            download = (await BlobOf(name).DownloadContentAsync().ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            // No blob, or no container yet: either way no state was ever written.
            ResetState(grainState);
            return;
        }

        var payload = download.Content.ToMemory();
        if (!download.Details.Metadata.TryGetValue(CrcMetadataKey, out var storedCrc)
            || !string.Equals(storedCrc, FormatCrc(payload.Span), StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageCorruptionException(name, $"the state's CRC-32C does not match its metadata ({storedCrc ?? "missing"}).");
        }

        grainState.State = _serializer.Deserialize<T>(download.Content) ?? _activators.GetActivator<T>().Create();
        grainState.ETag = download.Details.ETag.ToString();
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var name = GetBlobName(stateName, grainId);
        var payload = _serializer.Serialize(grainState.State);
        var expectedETag = grainState.ETag;
        var options = new BlobUploadOptions
        {
            Conditions = Conditions(expectedETag),
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [CrcMetadataKey] = FormatCrc(payload.ToMemory().Span) },
            HttpHeaders = new BlobHttpHeaders { ContentType = ContentType },
        };

        var started = Stopwatch.GetTimestamp();
        await _container.EnsureCreatedAsync().ConfigureAwait(false);
        try
        {
            var response = await BlobOf(name).UploadAsync(payload, options).ConfigureAwait(false);
            grainState.ETag = response.Value.ETag.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException ex) when (BlobStatus.IsConditionFailure(ex) || (ex.Status == BlobStatus.NotFound && expectedETag is not null))
        {
            throw await ConflictAsync(name, stateName, grainId, expectedETag, ex).ConfigureAwait(false);
        }

        _metrics.GrainWriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var name = GetBlobName(stateName, grainId);
        var expectedETag = grainState.ETag;

        var started = Stopwatch.GetTimestamp();
        if (expectedETag is null)
        {
            // The activation believes nothing is stored. The service has no "delete only if absent", so
            // check: a stored state means someone else wrote it, which is a conflict, as on a local directory.
            if (await ExistsAsync(name).ConfigureAwait(false))
            {
                throw await ConflictAsync(name, stateName, grainId, expectedETag, cause: null).ConfigureAwait(false);
            }
        }
        else
        {
            try
            {
                await BlobOf(name).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, Conditions(expectedETag)).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (BlobStatus.IsConditionFailure(ex) || ex.Status == BlobStatus.NotFound)
            {
                throw await ConflictAsync(name, stateName, grainId, expectedETag, ex).ConfigureAwait(false);
            }
        }

        ResetState(grainState);
        _metrics.GrainWriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(BlobGrainStorage)}-{_name}", _options.InitStage, InitializeAsync);

    /// <summary>Creates the container if needed, so that a missing or unreachable account stops the silo at start.</summary>
    internal async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _container.EnsureCreatedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _logger.GrainStorageReady(_name, _container.Address);
    }

    private BlobClient BlobOf(string name) => _container.Client.GetBlobClient(name);

    private static BlobRequestConditions Conditions(string? expectedETag) =>
        expectedETag is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(expectedETag) };

    private async Task<bool> ExistsAsync(string name)
    {
        try
        {
            return (await BlobOf(name).ExistsAsync().ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            // The container does not exist yet.
            return false;
        }
    }

    private async Task<InconsistentStateException> ConflictAsync(string name, string stateName, GrainId grainId, string? expectedETag, RequestFailedException? cause)
    {
        string? storedETag;
        try
        {
            storedETag = (await BlobOf(name).GetPropertiesAsync().ConfigureAwait(false)).Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            storedETag = null;
        }

        _logger.GrainStateConflict(_name, stateName, grainId.ToString(), storedETag, expectedETag);
        return new InconsistentStateException(
            $"Grain storage '{_name}': state '{stateName}' of {grainId} was changed by someone else (stored ETag {storedETag ?? "none"}, this activation had {expectedETag ?? "none"}).",
            storedETag ?? string.Empty,
            expectedETag ?? string.Empty,
            cause);
    }

    private void ResetState<T>(IGrainState<T> grainState)
    {
        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static string FormatCrc(ReadOnlySpan<byte> payload) =>
        Crc32C.Compute(payload).ToString("x8", CultureInfo.InvariantCulture);
}
