using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Local;

/// <summary>
/// Orleans grain storage in a local directory: one file per (state name, grain id) at
/// <c>&lt;RootPath&gt;/grains/&lt;encoded state name&gt;/&lt;encoded grain id&gt;</c>, replaced
/// atomically on every write (temporary file, fsync, rename over, fsync of the directory), so a crash
/// leaves either the old state or the new one, never a mix.
/// </summary>
/// <remarks>
/// <para>
/// ETags are <c>"{version}-{incarnation}"</c> from the file's header; a write or clear whose ETag is
/// not the stored one throws <see cref="InconsistentStateException"/>, and Orleans then deactivates
/// the stale activation. Within one silo the check and the replace are atomic; two processes sharing
/// one directory are not supported (one silo owns one local root).
/// </para>
/// <para>
/// Every write rewrites the whole state: keep states small, and put anything that grows with the
/// backlog in an <see cref="ISegmentLog"/>. Register with
/// <c>AddLocalDirectoryGrainStorage</c> or <c>AddLocalDirectoryGrainStorageAsDefault</c>.
/// </para>
/// </remarks>
public sealed class LocalDirectoryGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The folder under <see cref="LocalStorageOptions.RootPath"/> that holds grain state.</summary>
    public const string GrainsFolder = "grains";

    // Encoded names never start with '~', so these can never be mistaken for (or replace) a state file.
    private const string TemporaryPrefix = "~";
    private const string TemporarySuffix = ".tmp";

    // A state file is written, fsynced and renamed within seconds; a temporary one older than this was left by a crash.
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromMinutes(10);

    // Serializes check-and-replace per file without one lock per grain; collisions only cost waiting.
    private const int LockStripes = 64;

    private readonly string _name;
    private readonly LocalStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _stripes;

    /// <summary>Creates the storage called <paramref name="name"/>; touches no files until the silo starts or a state is written.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public LocalDirectoryGrainStorage(
        string name,
        LocalStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activators,
        StorageMetrics metrics,
        ILogger<LocalDirectoryGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        LocalStorageOptionsValidator.ThrowIfInvalid(options, name);

        _name = name;
        _options = options;
        _serializer = serializer;
        _activators = activators;
        _metrics = metrics;
        _logger = logger;
        _stripes = new SemaphoreSlim[LockStripes];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }

        GrainsPath = Path.Combine(Path.GetFullPath(options.RootPath), GrainsFolder);
    }

    /// <summary>The absolute directory holding one sub-directory per state name.</summary>
    public string GrainsPath { get; }

    /// <summary>The file that holds (or would hold) the state <paramref name="stateName"/> of <paramref name="grainId"/>.</summary>
    public string GetStatePath(string stateName, GrainId grainId) =>
        Path.Combine(GrainsPath, PathNameEncoder.Encode(stateName), PathNameEncoder.Encode(grainId.ToString()));

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStatePath(stateName, grainId);

        byte[] contents;
        try
        {
            contents = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ResetState(grainState);
            return;
        }

        var header = ReadHeader(path, contents);
        var payload = contents.AsMemory(GrainStateFileHeader.Size);
        if (payload.Length != header.PayloadLength || Crc32C.Compute(payload.Span) != header.PayloadCrc)
        {
            throw new StorageCorruptionException(path, "the state's length or CRC does not match its header.");
        }

        grainState.State = _serializer.Deserialize<T>(new BinaryData(payload)) ?? _activators.GetActivator<T>().Create();
        grainState.ETag = header.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStatePath(stateName, grainId);
        var payload = _serializer.Serialize(grainState.State).ToMemory();
        var expectedETag = grainState.ETag;

        var started = Stopwatch.GetTimestamp();
        var stripe = StripeFor(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            // fsync blocks its thread; keep it off the grain's scheduler.
            var header = await Task.Run(() => ReplaceDurably(path, stateName, grainId, expectedETag, payload)).ConfigureAwait(false);
            grainState.ETag = header.ETag;
            grainState.RecordExists = true;
        }
        finally
        {
            stripe.Release();
        }

        _metrics.GrainWriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStatePath(stateName, grainId);
        var expectedETag = grainState.ETag;

        var started = Stopwatch.GetTimestamp();
        var stripe = StripeFor(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            await Task.Run(() => DeleteDurably(path, stateName, grainId, expectedETag)).ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }

        ResetState(grainState);
        _metrics.GrainWriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(LocalDirectoryGrainStorage)}-{_name}", _options.InitStage, InitializeAsync);

    /// <summary>
    /// Creates the grains directory and deletes temporary files left by writes that a crash
    /// interrupted (their rename never happened, so the state they carried was never acknowledged).
    /// </summary>
    internal Task InitializeAsync(CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            DirectorySync.CreateDurably(GrainsPath);
            DateTime sweepBefore = DateTime.UtcNow - LeftoverAge;
            var deleted = 0;
            foreach (var stateDirectory in Directory.EnumerateDirectories(GrainsPath))
            {
                foreach (var file in Directory.EnumerateFiles(stateDirectory, TemporaryPrefix + "*" + TemporarySuffix))
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Another silo sharing this directory may be writing it right now: only files untouched for a
                    // while are leftovers of a crash.
                    if (File.GetLastWriteTimeUtc(file) < sweepBefore)
                    {
                        File.Delete(file);
                        deleted++;
                    }
                }
            }

            if (deleted > 0)
            {
                _logger.StaleTemporaryFilesDeleted(_name, deleted, GrainsPath);
            }

            _logger.GrainStorageReady(_name, GrainsPath);
        },
        cancellationToken);

    private GrainStateFileHeader ReplaceDurably(string path, string stateName, GrainId grainId, string? expectedETag, ReadOnlyMemory<byte> payload)
    {
        var stored = ReadStoredHeader(path);
        ThrowIfStale(stored, expectedETag, stateName, grainId);

        var header = new GrainStateFileHeader(
            Version: stored is { } s ? s.Version + 1 : 1,
            Incarnation: stored?.Incarnation ?? NewIncarnation(),
            PayloadLength: (uint)payload.Length,
            PayloadCrc: Crc32C.Compute(payload.Span));

        var directory = Path.GetDirectoryName(path)!;
        DirectorySync.CreateDurably(directory);
        var temporary = Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N") + TemporarySuffix);
        try
        {
            using (var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> headerBytes = stackalloc byte[GrainStateFileHeader.Size];
                header.Write(headerBytes);
                RandomAccess.Write(file, headerBytes, 0);
                RandomAccess.Write(file, payload.Span, GrainStateFileHeader.Size);
                RandomAccess.FlushToDisk(file);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        // The rename is durable only once the directory is.
        DirectorySync.Flush(directory);
        return header;
    }

    private void DeleteDurably(string path, string stateName, GrainId grainId, string? expectedETag)
    {
        var stored = ReadStoredHeader(path);
        ThrowIfStale(stored, expectedETag, stateName, grainId);
        if (stored is null)
        {
            return;
        }

        File.Delete(path);
        DirectorySync.Flush(Path.GetDirectoryName(path)!);
    }

    private static GrainStateFileHeader? ReadStoredHeader(string path)
    {
        Span<byte> bytes = stackalloc byte[GrainStateFileHeader.Size];
        int read;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = RandomAccess.Read(file, bytes, 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return ReadHeader(path, bytes[..read]);
    }

    private static GrainStateFileHeader ReadHeader(string path, ReadOnlySpan<byte> bytes) =>
        GrainStateFileHeader.TryRead(bytes, out var header, out var problem)
            ? header
            : throw new StorageCorruptionException(path, problem + ".");

    private void ThrowIfStale(GrainStateFileHeader? stored, string? expectedETag, string stateName, GrainId grainId)
    {
        var storedETag = stored?.ETag;
        if (string.Equals(storedETag, expectedETag, StringComparison.Ordinal))
        {
            return;
        }

        _logger.GrainStateConflict(_name, stateName, grainId.ToString(), storedETag, expectedETag);
        throw new InconsistentStateException(
            $"Grain storage '{_name}': state '{stateName}' of {grainId} was changed by someone else (stored ETag {storedETag ?? "none"}, this activation had {expectedETag ?? "none"}).",
            storedETag ?? string.Empty,
            expectedETag ?? string.Empty);
    }

    private void ResetState<T>(IGrainState<T> grainState)
    {
        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private SemaphoreSlim StripeFor(string path) =>
        _stripes[(uint)StringComparer.Ordinal.GetHashCode(path) % LockStripes];

    private static ulong NewIncarnation()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the sweep at the next start; the write itself already failed and says so.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
