using Microsoft.Extensions.Logging;
using TamTam.Storage.Internal;
using TamTam.Storage.Local;
using TamTam.Storage.Local.Internal;
using TamTam.Storage.Payloads.Internal;

namespace TamTam.Storage.Payloads;

/// <summary>
/// An <see cref="IPayloadStore"/> in a local directory: under <c>&lt;RootPath&gt;/payloads/&lt;transfer id&gt;/</c>
/// a data file with the parts' records in arrival order, and a manifest written at commit.
/// </summary>
/// <remarks>
/// <para>
/// Parts are staged with group commit (<see cref="PartStager"/>): each part is written to the data file as a
/// record that checks itself (header and bytes each with a CRC-32C, <see cref="PartRecord"/>), and the records
/// written together are made durable by one fsync before any of them is acknowledged. A part is in the payload
/// once its record is whole and every record before it is: reading the file back stops at the first record a
/// crash cut, and cuts it off. The manifest is the commit: it names where each part starts, is written only
/// once every part's size has been checked (to a temporary name, fsynced, renamed, the directory fsynced), and
/// a read finds the payload by it. Deleting renames the payload's directory aside first, so a payload
/// disappears at once even if removing its files is interrupted; leftovers of interrupted writes and deletes
/// are swept on first use after a start.
/// </para>
/// <para>
/// What the store learned of a payload's parts stays in memory between parts, so only a start (or a payload
/// not used for a while) makes it read a data file back; a read-back holds up that payload's users only, never
/// the staging of another payload. One store at a time stages a given payload: two processes appending to the
/// same data file would overwrite each other's records.
/// </para>
/// <para>
/// An earlier format kept bare part bytes in the data file and a journal of them beside it (<c>parts</c>). A
/// payload it staged but did not commit reads as having no part, so its parts are sent again; the first part
/// staged to it deletes that journal and cuts the old bytes, so nothing of the old format lingers. Committed
/// payloads of that format are still read by their manifest.
/// </para>
/// <para>
/// Blocking file calls (fsync above all) run on the thread pool, never on the caller's scheduler.
/// Parts staged again after a commit take effect when the payload is committed again; until then
/// what a read returns is not specified, so do not restage a committed payload.
/// </para>
/// </remarks>
public sealed class LocalPayloadStore : IPayloadStore
{
    /// <summary>The folder under <see cref="LocalStorageOptions.RootPath"/> that holds the payloads.</summary>
    public const string PayloadsFolder = "payloads";

    /// <summary>The file in a payload's directory whose presence means the payload is committed.</summary>
    public const string ManifestFileName = "manifest";

    // Transfer directories are 32 hex digits and part files start with digits, so '~' never names either.
    private const string LeftoverPrefix = "~";
    private const string TemporarySuffix = ".tmp";

    // A temporary file is written, fsynced and renamed within seconds; one older than this was left by a crash.
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromMinutes(10);
    private const string DeletingSuffix = ".deleting";

    // What closed stagers knew is kept for this many payloads (tens of KiB each for 1 GiB of 1 MiB parts); a
    // payload whose state was dropped is read back once, in full, when it is next used.
    private const int MaxKeptStates = 64;

    // The commit error lists this many problems at most; the rest are counted.
    private const int MaxReportedProblems = 5;

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, StagerSlot> _slots = [];
    private readonly Dictionary<Guid, PartLogState> _states = [];
    private Task? _initialization;

    /// <summary>Creates a store over <paramref name="options"/>' root; touches no files until first used.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public LocalPayloadStore(LocalStorageOptions options, ILogger<LocalPayloadStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        LocalStorageOptionsValidator.ThrowIfInvalid(options);

        _logger = logger;
        PayloadsPath = Path.Combine(Path.GetFullPath(options.RootPath), PayloadsFolder);
    }

    /// <summary>The absolute directory holding one sub-directory per payload.</summary>
    public string PayloadsPath { get; }

    /// <summary>The directory that holds (or would hold) the parts of <paramref name="transferId"/>.</summary>
    public string GetPayloadDirectory(Guid transferId) => Path.Combine(PayloadsPath, transferId.ToString("N"));

    /// <inheritdoc/>
    /// <remarks>Once the write has started it runs to the end; <paramref name="cancellationToken"/> is checked before.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty (no part of a payload is).</exception>
    public async ValueTask StagePartAsync(Guid transferId, int index, ReadOnlyMemory<byte> data, uint? crc32C = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (data.IsEmpty)
        {
            throw new ArgumentException("A part is never empty: every part holds at least one byte of its payload.", nameof(data));
        }

        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync().ConfigureAwait(false);
        var directory = GetPayloadDirectory(transferId);
        StagerSlot? slot = null;
        try
        {
            // The write blocks on the thread pool; the task returned completes once the part is durable.
            await Task.Run(() =>
            {
                slot = AcquireStager(transferId, directory, create: true)!;
                var stager = slot.Stager!;
                if (stager.TakeOldJournalDeleted())
                {
                    _logger.PayloadOldJournalDeleted(transferId);
                }

                stager.CutTornTail();
                return stager.Stage(index, data, crc32C ?? Crc32C.Compute(data.Span));
            }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (slot is not null)
            {
                ReleaseStager(transferId, slot);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<int>> GetStagedPartsAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var directory = GetPayloadDirectory(transferId);
        return await Task.Run(() => ListParts(transferId, directory), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Parts with an index at or above <see cref="PayloadLayout.PartCount"/> are left out, as a blob
    /// commit discards blocks it does not name. Runs to the end once started.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="layout"/> is not one that <see cref="PayloadLayout.For"/> gives.</exception>
    public async ValueTask CommitAsync(Guid transferId, PayloadLayout layout, CancellationToken cancellationToken = default)
    {
        PayloadLayoutCheck.ThrowIfInvalid(layout, nameof(layout));
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync().ConfigureAwait(false);
        var directory = GetPayloadDirectory(transferId);
        var written = await Task.Run(() => CommitDurably(transferId, directory, layout), CancellationToken.None).ConfigureAwait(false);
        if (written)
        {
            _logger.PayloadCommitted(transferId, layout.TotalSize, layout.PartCount);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="StorageCorruptionException">The manifest or a part file does not match what was committed.</exception>
    public async ValueTask<int> ReadAsync(Guid transferId, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var directory = GetPayloadDirectory(transferId);
        var committed = await ReadManifestAsync(directory, cancellationToken).ConfigureAwait(false)
            ?? throw new PayloadNotFoundException(transferId);

        var layout = committed.Layout;
        if (offset >= layout.TotalSize || destination.IsEmpty)
        {
            return 0;
        }

        var path = Path.Combine(directory, PartStager.DataFileName);
        Microsoft.Win32.SafeHandles.SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted after the manifest was read.
            throw new PayloadNotFoundException(transferId);
        }

        using (file)
        {
            var total = 0;
            while (total < destination.Length && offset < layout.TotalSize)
            {
                var index = (int)(offset / layout.PartSize);
                var within = offset - ((long)index * layout.PartSize);
                var count = (int)Math.Min(destination.Length - total, layout.SizeOfPart(index) - within);
                await ReadExactlyAsync(file, path, committed.Offsets[index] + within, destination.Slice(total, count), cancellationToken)
                    .ConfigureAwait(false);
                total += count;
                offset += count;
            }

            return total;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Runs to the end once started; <paramref name="cancellationToken"/> is checked before.</remarks>
    public async ValueTask DeleteAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync().ConfigureAwait(false);
        var directory = GetPayloadDirectory(transferId);
        if (await Task.Run(() => DeleteDurably(transferId, directory), CancellationToken.None).ConfigureAwait(false))
        {
            _logger.PayloadDeleted(transferId);
        }
    }

    /// <summary>Creates the payloads directory and sweeps leftovers, once per store (again after a failure).</summary>
    private Task EnsureInitializedAsync()
    {
        var current = Volatile.Read(ref _initialization);
        if (current is not null && !current.IsFaulted)
        {
            return current;
        }

        lock (_gate)
        {
            if (_initialization is null || _initialization.IsFaulted)
            {
                _initialization = Task.Run(Initialize);
            }

            return _initialization;
        }
    }

    /// <summary>
    /// Deletes what a crash left: temporary part and manifest files whose rename never happened, and
    /// payload directories renamed aside by a delete that did not finish. None of it was ever acknowledged.
    /// </summary>
    private void Initialize()
    {
        DirectorySync.CreateDurably(PayloadsPath);
        DateTime sweepBefore = DateTime.UtcNow - LeftoverAge;
        var deleted = 0;
        foreach (var directory in Directory.EnumerateDirectories(PayloadsPath))
        {
            if (Path.GetFileName(directory).StartsWith(LeftoverPrefix, StringComparison.Ordinal))
            {
                Directory.Delete(directory, recursive: true);
                deleted++;
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, LeftoverPrefix + "*" + TemporarySuffix))
            {
                // Another store over the same directory (another silo sharing it) may be writing this one right
                // now: only files untouched for a while are leftovers.
                if (File.GetLastWriteTimeUtc(file) < sweepBefore)
                {
                    File.Delete(file);
                    deleted++;
                }
            }
        }

        if (deleted > 0)
        {
            _logger.PayloadLeftoversDeleted(deleted, PayloadsPath);
        }
    }

    /// <summary>
    /// The slot of <paramref name="transferId"/> with its stager, opened by its first user (from the state its last
    /// one left when there is one); null when the payload has no data file and <paramref name="create"/> is false.
    /// Blocking.
    /// </summary>
    /// <remarks>
    /// The store's lock is held only to find the slot: the stager is opened under the slot's own lock, so that two
    /// first users cannot open the same file twice while an open that reads its file back (which only a start or an
    /// eviction makes happen) holds up no other payload.
    /// </remarks>
    private StagerSlot? AcquireStager(Guid transferId, string directory, bool create)
    {
        StagerSlot slot;
        lock (_gate)
        {
            if (!_slots.TryGetValue(transferId, out slot!))
            {
                slot = new StagerSlot();
                _slots.Add(transferId, slot);
            }

            slot.Users++;
        }

        var opened = false;
        try
        {
            lock (slot.Opening)
            {
                if (slot.Stager is null)
                {
                    PartLogState? known;
                    lock (_gate)
                    {
                        _states.Remove(transferId, out known);
                    }

                    slot.Stager = PartStager.Open(directory, known, create, _logger);
                }

                opened = slot.Stager is not null;
            }
        }
        finally
        {
            if (!opened)
            {
                ReleaseStager(transferId, slot);
            }
        }

        return opened ? slot : null;
    }

    /// <summary>
    /// Closes the slot's stager once its last user is done: an idle upload holds no file open. What it knows is kept
    /// (for at most <see cref="MaxKeptStates"/> payloads) for the next part.
    /// </summary>
    private void ReleaseStager(Guid transferId, StagerSlot slot)
    {
        PartStager? stager;
        lock (_gate)
        {
            if (--slot.Users > 0)
            {
                return;
            }

            // No user is left to open it meanwhile: each one counts itself in before it opens.
            stager = slot.Stager;

            // Not there any more when the payload was deleted meanwhile: nothing of it is kept.
            if (_slots.TryGetValue(transferId, out var current) && current == slot && _slots.Remove(transferId)
                && stager?.TakeState() is { } state)
            {
                if (_states.Count >= MaxKeptStates)
                {
                    foreach (var evicted in _states.Keys)
                    {
                        _states.Remove(evicted);
                        break;
                    }
                }

                _states[transferId] = state;
            }
        }

        stager?.Dispose();
    }

    /// <summary>Forgets what the store knows of a payload's parts in memory; its next user reads its file back.</summary>
    private void Forget(Guid transferId)
    {
        lock (_gate)
        {
            _slots.Remove(transferId);
            _states.Remove(transferId);
        }
    }

    /// <summary>Writes a file under a temporary name, fsyncs it, renames it over <paramref name="fileName"/> and fsyncs the directory.</summary>
    private static void WriteFileDurably(string directory, string fileName, ReadOnlySpan<byte> contents)
    {
        var temporary = Path.Combine(directory, LeftoverPrefix + Guid.NewGuid().ToString("N") + TemporarySuffix);
        try
        {
            using (var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                RandomAccess.Write(file, contents, 0);
                RandomAccess.FlushToDisk(file);
            }

            File.Move(temporary, Path.Combine(directory, fileName), overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        // The rename is durable only once the directory is.
        DirectorySync.Flush(directory);
    }

    /// <summary>The parts of a committed payload (those its manifest names), else those its data file holds.</summary>
    private List<int> ListParts(Guid transferId, string directory)
    {
        var parts = new List<int>();
        if (TryReadManifest(directory, out var committed))
        {
            for (var index = 0; index < committed.Layout.PartCount; index++)
            {
                parts.Add(index);
            }

            return parts;
        }

        parts.AddRange(ReadDurableParts(transferId, directory).Keys);
        parts.Sort();
        return parts;
    }

    /// <returns>False when the same manifest was already there (a repeated commit).</returns>
    private bool CommitDurably(Guid transferId, string directory, PayloadLayout layout)
    {
        var staged = ReadDurableParts(transferId, directory);
        if (staged.Count == 0)
        {
            throw new PayloadIncompleteException(transferId, $"no part is staged; {layout.PartCount} expected.");
        }

        var problems = new List<string>();
        var problemCount = 0;
        var offsets = new long[layout.PartCount];
        for (var index = 0; index < layout.PartCount; index++)
        {
            var expected = layout.SizeOfPart(index);
            string? problem = !staged.TryGetValue(index, out var part) ? $"part {index} is missing"
                : part.Length != expected ? $"part {index} is {part.Length} bytes, {expected} expected"
                : null;
            offsets[index] = part.Offset;
            if (problem is not null && ++problemCount <= MaxReportedProblems)
            {
                problems.Add(problem);
            }
        }

        if (problemCount > 0)
        {
            var more = problemCount > MaxReportedProblems ? $" (and {problemCount - MaxReportedProblems} more)" : string.Empty;
            throw new PayloadIncompleteException(transferId, string.Join("; ", problems) + more + ".");
        }

        var payload = new CommittedPayload(layout, offsets);
        if (TryReadManifest(directory, out var existing) && existing.SameAs(payload))
        {
            return false;
        }

        var manifest = new byte[PayloadManifest.SizeFor(layout.PartCount)];
        PayloadManifest.Write(layout, offsets, manifest);
        WriteFileDurably(directory, ManifestFileName, manifest);

        // From here reads and lists go by the manifest.
        Forget(transferId);
        return true;
    }

    /// <summary>The parts durable in a payload's data file, by index; none when it has none. Blocking.</summary>
    private Dictionary<int, StagedPart> ReadDurableParts(Guid transferId, string directory)
    {
        var slot = AcquireStager(transferId, directory, create: false);
        if (slot is null)
        {
            return [];
        }

        try
        {
            return slot.Stager!.GetDurableParts();
        }
        finally
        {
            ReleaseStager(transferId, slot);
        }
    }

    private static bool TryReadManifest(string directory, out CommittedPayload payload)
    {
        var path = Path.Combine(directory, ManifestFileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            payload = default;
            return false;
        }

        return PayloadManifest.TryRead(bytes, out payload, out var problem)
            ? true
            : throw new StorageCorruptionException(path, problem + ".");
    }

    private static async ValueTask<CommittedPayload?> ReadManifestAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ManifestFileName);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return PayloadManifest.TryRead(bytes, out var payload, out var problem)
            ? payload
            : throw new StorageCorruptionException(path, problem + ".");
    }

    private static async ValueTask ReadExactlyAsync(
        Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            var read = await RandomAccess.ReadAsync(file, destination, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new StorageCorruptionException(path, $"the data file ends at {offset} bytes, before a part its manifest committed.");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    /// <returns>False when there was nothing to delete.</returns>
    private bool DeleteDurably(Guid transferId, string directory)
    {
        // A part still being staged finishes into the directory renamed aside; the next one starts afresh.
        Forget(transferId);

        // Renamed aside first: the payload is gone in one step, even if removing its files is interrupted.
        var aside = Path.Combine(PayloadsPath, LeftoverPrefix + transferId.ToString("N") + "-" + Guid.NewGuid().ToString("N") + DeletingSuffix);
        try
        {
            Directory.Move(directory, aside);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }

        DirectorySync.Flush(PayloadsPath);
        Directory.Delete(aside, recursive: true);
        return true;
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
