using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// Stages the parts of one local payload with group commit: each part's bytes are written at the end of the
/// payload's data file as they come, and parts that wait together are made durable together — one fsync of the
/// data file, then their journal records appended and one fsync of the journal. A part's staging completes only
/// after both fsyncs that cover it. The two fsyncs are two stages that overlap: while one group's records are
/// journaled, the next group's data is fsynced.
/// </summary>
/// <remarks>
/// While one group is being fsynced the next one gathers, so the number of fsyncs falls as parts arrive faster
/// (measured here: 92 MB/s at one fsync per MiB, 335–521 MB/s with one fsync at the end). Open only while a
/// part is being staged: the store closes it when its last user is done, and a later part opens it again.
/// </remarks>
internal sealed class PartStager : IDisposable
{
    /// <summary>The file holding the parts' bytes, in arrival order.</summary>
    public const string DataFileName = "data";

    /// <summary>The file holding one <see cref="PartJournal"/> record per part made durable.</summary>
    public const string JournalFileName = "parts";

    private readonly Lock _gate = new();
    private readonly SafeFileHandle _data;
    private readonly SafeFileHandle _journal;
    private List<(StagedPart Part, TaskCompletionSource Durable)> _written = [];
    private List<(StagedPart Part, TaskCompletionSource Durable)> _dataDurable = [];
    private long _dataEnd;
    private long _journalEnd;
    private bool _syncingData;
    private bool _syncingJournal;
    private Exception? _fault;

    private PartStager(SafeFileHandle data, SafeFileHandle journal, long dataEnd, long journalEnd)
    {
        _data = data;
        _journal = journal;
        _dataEnd = dataEnd;
        _journalEnd = journalEnd;
    }

    /// <summary>How many callers use this stager; changed under the store's lock only.</summary>
    public int Users { get; set; }

    /// <summary>Opens (creating durably if needed) the data file and journal in <paramref name="directory"/>. Blocking.</summary>
    public static PartStager Open(string directory)
    {
        DirectorySync.CreateDurably(directory);
        var dataPath = Path.Combine(directory, DataFileName);
        var journalPath = Path.Combine(directory, JournalFileName);
        var created = !File.Exists(dataPath) || !File.Exists(journalPath);
        PartJournal.Read(journalPath, out var journalEnd);
        var data = File.OpenHandle(dataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var journal = File.OpenHandle(journalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (created)
            {
                // The files' names must survive a crash before any part in them is acknowledged.
                DirectorySync.Flush(directory);
            }

            // Bytes past the data file's end of a crashed write are simply never named by the journal.
            return new PartStager(data, journal, RandomAccess.GetLength(data), journalEnd);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Writes a part's bytes at the end of the data file (not yet durable). Blocking.</summary>
    public StagedPart Write(int index, ReadOnlySpan<byte> bytes)
    {
        long offset;
        lock (_gate)
        {
            offset = _dataEnd;
            _dataEnd += bytes.Length;
        }

        RandomAccess.Write(_data, bytes, offset);
        return new StagedPart(index, bytes.Length, offset);
    }

    /// <summary>Completes once <paramref name="part"/> is durable: in the data file and in the journal, both fsynced.</summary>
    public Task MakeDurableAsync(StagedPart part)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_fault is not null)
            {
                return Task.FromException(Faulted());
            }

            _written.Add((part, durable));
            if (!_syncingData)
            {
                _syncingData = true;
                _ = Task.Run(SyncData);
            }
        }

        return durable.Task;
    }

    public void Dispose()
    {
        _data.Dispose();
        _journal.Dispose();
    }

    /// <summary>
    /// Stage one: fsyncs the data file for the parts written so far, a group at a time, and hands each group to
    /// stage two. The two stages overlap: a group's data is fsynced while the group before it is journaled.
    /// </summary>
    private void SyncData()
    {
        while (TryTake(ref _written, ref _syncingData, out var group))
        {
            try
            {
                RandomAccess.FlushToDisk(_data);
            }
            catch (Exception ex)
            {
                Fail(ex, group, dataStage: true);
                return;
            }

            lock (_gate)
            {
                if (_fault is not null)
                {
                    _syncingData = false;
                    FailAll(group);
                    return;
                }

                _dataDurable.AddRange(group);
                if (!_syncingJournal)
                {
                    _syncingJournal = true;
                    _ = Task.Run(SyncJournal);
                }
            }
        }
    }

    /// <summary>Stage two: appends the records of parts whose data is durable, fsyncs the journal, and completes their staging.</summary>
    private void SyncJournal()
    {
        while (TryTake(ref _dataDurable, ref _syncingJournal, out var group))
        {
            try
            {
                var parts = new StagedPart[group.Count];
                for (var i = 0; i < parts.Length; i++)
                {
                    parts[i] = group[i].Part;
                }

                PartJournal.Append(_journal, _journalEnd, parts);
                RandomAccess.FlushToDisk(_journal);
                _journalEnd += parts.Length * PartJournal.RecordSize;
            }
            catch (Exception ex)
            {
                Fail(ex, group, dataStage: false);
                return;
            }

            foreach (var (_, durable) in group)
            {
                durable.TrySetResult();
            }
        }
    }

    /// <summary>Takes the whole of <paramref name="queue"/>; false (and the stage marked idle) when it is empty or the stager failed.</summary>
    private bool TryTake(ref List<(StagedPart Part, TaskCompletionSource Durable)> queue, ref bool running,
        out List<(StagedPart Part, TaskCompletionSource Durable)> group)
    {
        lock (_gate)
        {
            if (queue.Count == 0 || _fault is not null)
            {
                running = false;
                group = [];
                return false;
            }

            group = queue;
            queue = [];
            return true;
        }
    }

    // After a failed fsync what reached the disk is unknown (the kernel may have dropped the pages): nothing
    // waiting in either stage can be called durable, and no later part is taken.
    private void Fail(Exception ex, List<(StagedPart Part, TaskCompletionSource Durable)> group, bool dataStage)
    {
        lock (_gate)
        {
            _fault ??= ex;

            // The other stage, if running, stops at its next look at the queues.
            if (dataStage)
            {
                _syncingData = false;
            }
            else
            {
                _syncingJournal = false;
            }

            FailAll(group);
            FailAll(_written);
            FailAll(_dataDurable);
            _written = [];
            _dataDurable = [];
        }
    }

    private void FailAll(List<(StagedPart Part, TaskCompletionSource Durable)> group)
    {
        foreach (var (_, durable) in group)
        {
            durable.TrySetException(Faulted());
        }
    }

    private IOException Faulted() => new("An fsync of this payload's files failed; its staging cannot go on.", _fault);
}
