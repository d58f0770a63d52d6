using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TamTam.Diagnostics;
using TamTam.Storage.Internal;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// Stages the parts of one local payload with group commit: each part is written as a self-checking record
/// (<see cref="PartRecord"/>) at the end of the payload's data file as it comes, and the records written while
/// the previous fsync ran are made durable by the next one. A part's staging completes only once an fsync
/// that began after every record before it was written has returned.
/// </summary>
/// <remarks>
/// <para>
/// One fsync per group, of one file: the records carry their own checksums, so no journal has to be synced
/// beside the data to say which bytes are whole. Records are written concurrently at offsets reserved in
/// order; a group is the longest prefix of reserved records that are all written, so the records acknowledged
/// are always a prefix of the file and a crash can only tear what follows them.
/// </para>
/// <para>
/// A part staged again with the same length and CRC as a copy already durable, or being staged, is not written
/// again: it completes with that copy. So a resent part does not grow the file; a part staged again with other
/// bytes is a new record, and the last one wins.
/// </para>
/// </remarks>
internal sealed class PartStager : IDisposable
{
    /// <summary>The file holding the part records, in arrival order.</summary>
    public const string DataFileName = "data";

    /// <summary>
    /// The journal that an earlier format kept beside a data file of bare part bytes (one record per durable part).
    /// No longer written or read: such an upload's parts read as none and are sent again.
    /// </summary>
    public const string OldJournalFileName = "parts";

    private readonly Lock _gate = new();
    private readonly SafeFileHandle _data;
    private readonly ILogger _logger;
    private readonly Dictionary<int, StagedPart> _durable;
    private readonly Queue<PendingPart> _pending = new();
    private readonly Dictionary<int, PendingPart> _pendingByIndex = [];
    private long _end;
    private bool _syncing;
    private Exception? _fault;
    private int _oldJournalDeleted;

    private PartStager(SafeFileHandle data, Dictionary<int, StagedPart> durable, long end, ILogger logger)
    {
        _data = data;
        _logger = logger;
        _durable = durable;
        _end = end;
    }

    /// <summary>
    /// True once (to its first caller) when <see cref="Open"/> deleted an earlier format's journal of this payload.
    /// </summary>
    public bool TakeOldJournalDeleted() => Interlocked.Exchange(ref _oldJournalDeleted, 0) == 1;

    /// <summary>
    /// Opens the data file in <paramref name="directory"/> (creating it, durably, when <paramref name="create"/>;
    /// else null when there is none). The durable parts are <paramref name="known"/>'s when the file still ends
    /// where it says, else found by reading the whole file. Nothing is written: a torn tail stays until
    /// <see cref="CutTornTail"/>. Blocking.
    /// </summary>
    /// <remarks>
    /// Opened to stage (<paramref name="create"/>), it deletes an earlier format's journal
    /// (<see cref="OldJournalFileName"/>) first: the bytes that journal names are read as no record, and are cut
    /// before this stager's first part, so nothing would ever read it; <see cref="TakeOldJournalDeleted"/> says so.
    /// </remarks>
    public static PartStager? Open(string directory, PartLogState? known, bool create, ILogger logger)
    {
        var path = Path.Combine(directory, DataFileName);
        var created = false;
        var oldJournalDeleted = false;
        if (create)
        {
            DirectorySync.CreateDurably(directory);
            created = !File.Exists(path);
            oldJournalDeleted = DeleteOldJournal(directory);
        }

        SafeFileHandle data;
        try
        {
            data = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (!create && ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            if (created)
            {
                // The file's name must survive a crash before any part in it is acknowledged.
                DirectorySync.Flush(directory);
            }

            var length = RandomAccess.GetLength(data);
            PartStager stager;
            if (known is not null && known.End == length)
            {
                stager = new PartStager(data, known.Parts, length, logger);
            }
            else
            {
                if (length > 0)
                {
                    logger.PayloadReadBack(path, length);
                }

                stager = new PartStager(data, PartRecord.Scan(data, out var validEnd), validEnd, logger);
            }

            stager._oldJournalDeleted = oldJournalDeleted ? 1 : 0;
            return stager;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes part <paramref name="index"/> as the next record (blocking) and returns a task that completes once
    /// it is durable. A copy with the same length and CRC already durable or being staged is not written again.
    /// </summary>
    public Task Stage(int index, ReadOnlyMemory<byte> bytes, uint crc32C)
    {
        PendingPart pending;
        lock (_gate)
        {
            if (_fault is not null)
            {
                return Task.FromException(Faulted());
            }

            // The copy that will be the latest: the one being staged if there is one (it wins once durable), else the durable one.
            if (_pendingByIndex.TryGetValue(index, out var staging))
            {
                if (staging.Part.Length == bytes.Length && staging.Part.Crc32C == crc32C)
                {
                    return staging.Durable.Task;
                }
            }
            else if (_durable.TryGetValue(index, out var held) && held.Length == bytes.Length && held.Crc32C == crc32C)
            {
                return Task.CompletedTask;
            }

            pending = new PendingPart(new StagedPart(index, bytes.Length, _end + PartRecord.HeaderSize, crc32C));
            _end = pending.Part.Offset + bytes.Length;
            _pending.Enqueue(pending);
            _pendingByIndex[index] = pending;
        }

        var header = new byte[PartRecord.HeaderSize];
        PartRecord.WriteHeader(pending.Part, header);
        try
        {
            RandomAccess.Write(_data, [header, bytes], pending.Part.Offset - PartRecord.HeaderSize);
        }
        catch (Exception ex)
        {
            // A record that was never written leaves a hole no later record can be acknowledged past.
            Fail(ex, []);
            return pending.Durable.Task;
        }

        lock (_gate)
        {
            pending.Written = true;
            if (!_syncing && _fault is null && _pending.Peek().Written)
            {
                _syncing = true;
                // Sync hands its own failures to the waiting parts (Fail); what else escapes it is logged.
                BackgroundWork.Run(Task.Run(Sync), "fsync staged parts", _logger);
            }
        }

        return pending.Durable.Task;
    }

    /// <summary>
    /// Cuts the file after the last whole record when nothing is pending: what follows is a write a crash cut (or a
    /// write of another process, which this one must not be doing: one process stages a payload at a time). Called
    /// only by a stager about to write, so that looking at a payload never cuts anything. Blocking.
    /// </summary>
    public void CutTornTail()
    {
        lock (_gate)
        {
            if (_fault is null && _pending.Count == 0 && RandomAccess.GetLength(_data) > _end)
            {
                RandomAccess.SetLength(_data, _end);
            }
        }
    }

    /// <summary>The parts durable so far, by index.</summary>
    public Dictionary<int, StagedPart> GetDurableParts()
    {
        lock (_gate)
        {
            return new Dictionary<int, StagedPart>(_durable);
        }
    }

    /// <summary>What a later <see cref="Open"/> may start from; null when this stager failed or a part is still pending.</summary>
    public PartLogState? TakeState()
    {
        lock (_gate)
        {
            return _fault is null && _pending.Count == 0 ? new PartLogState(_durable, _end) : null;
        }
    }

    public void Dispose() => _data.Dispose();

    /// <returns>False when there was none.</returns>
    private static bool DeleteOldJournal(string directory)
    {
        // Not made durable: a journal a crash brings back is deleted again at the next open.
        var path = Path.Combine(directory, OldJournalFileName);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>Fsyncs groups of written records, in file order, until none is waiting.</summary>
    private void Sync()
    {
        var group = new List<PendingPart>();
        while (true)
        {
            lock (_gate)
            {
                while (_fault is null && _pending.TryPeek(out var next) && next.Written)
                {
                    group.Add(_pending.Dequeue());
                }

                if (group.Count == 0)
                {
                    _syncing = false;
                    return;
                }
            }

            try
            {
                RandomAccess.FlushToDisk(_data);
            }
            catch (Exception ex)
            {
                Fail(ex, group);
                return;
            }

            lock (_gate)
            {
                // In file order, so the last record of an index wins, as when the file is read back.
                foreach (var part in group)
                {
                    _durable[part.Part.Index] = part.Part;
                    if (_pendingByIndex.TryGetValue(part.Part.Index, out var latest) && latest == part)
                    {
                        _pendingByIndex.Remove(part.Part.Index);
                    }
                }
            }

            foreach (var part in group)
            {
                part.Durable.TrySetResult();
            }

            group.Clear();
        }
    }

    // After a failed write or fsync what reached the disk is unknown (the kernel may have dropped the pages):
    // nothing pending can be called durable, and no later part is taken. Reopening reads the file back.
    private void Fail(Exception ex, List<PendingPart> group)
    {
        lock (_gate)
        {
            _fault ??= ex;
            if (group.Count > 0)
            {
                _syncing = false;
            }

            group.AddRange(_pending);
            _pending.Clear();
            _pendingByIndex.Clear();
        }

        foreach (var part in group)
        {
            part.Durable.TrySetException(Faulted());
        }
    }

    private IOException Faulted() => new("A write or fsync of this payload's data file failed; its staging cannot go on.", _fault);

    /// <summary>A record reserved in the data file and not yet durable.</summary>
    private sealed class PendingPart(StagedPart part)
    {
        public StagedPart Part { get; } = part;

        /// <summary>Set under the stager's lock once the record's bytes are written.</summary>
        public bool Written { get; set; }

        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A closed stager's durable parts and where its data file ends, kept so that reopening need not read the file back.</summary>
internal sealed record PartLogState(Dictionary<int, StagedPart> Parts, long End);
