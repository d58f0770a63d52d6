using Microsoft.Extensions.Logging;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage;

/// <summary>
/// Coalesces many concurrent commits to one <see cref="ISegmentLog"/> into few appends: while one batch
/// is being written and fsynced, new commits queue up, and all of them go into the next single write.
/// One fsync is then shared by every caller in the batch, which is what makes durable acceptance
/// cheap per message.
/// </summary>
/// <remarks>
/// <para>
/// Each caller's task completes with its LSN only once its batch is durable. If the append fails,
/// every caller in that batch sees the failure: nothing is dropped silently. Commits are written in
/// the order they were queued, so a caller's records get consecutive LSNs and one caller's sequential
/// commits get increasing ones.
/// </para>
/// <para>
/// Memory is bounded: when <see cref="GroupCommitterOptions.MaxQueuedBytes"/> or
/// <see cref="GroupCommitterOptions.MaxQueuedRecords"/> would be passed, callers wait for room.
/// The writer runs on the thread pool, so the blocking fsync never runs on a caller's scheduler.
/// The committer does not own the log: dispose the committer (which drains it), then the log.
/// </para>
/// </remarks>
public sealed class GroupCommitter : IAsyncDisposable
{
    private readonly ISegmentLog _log;
    private readonly GroupCommitterOptions _options;
    private readonly StorageMetrics _metrics;
    private readonly ILogger<GroupCommitter> _logger;

    private readonly Lock _gate = new();
    private readonly Queue<PendingCommit> _queue = new();
    private long _queuedBytes;
    private int _queuedRecords;
    private bool _writing;
    private bool _disposed;
    private Task _writer = Task.CompletedTask;
    private TaskCompletionSource _roomAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long _batchesWritten;
    private long _recordsWritten;

    /// <summary>Creates a committer in front of <paramref name="log"/>.</summary>
    public GroupCommitter(ISegmentLog log, GroupCommitterOptions options, StorageMetrics metrics, ILogger<GroupCommitter> logger)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        _log = log;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Appends written so far (successful ones).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    /// <summary>Records made durable so far.</summary>
    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);

    /// <summary>Records queued for the next batch (not counting the batch being written).</summary>
    public int QueuedRecords
    {
        get
        {
            lock (_gate)
            {
                return _queuedRecords;
            }
        }
    }

    /// <summary>Commits one record and completes with its LSN once it is durable.</summary>
    /// <param name="record">A non-empty record; its memory must not change until the task completes.</param>
    /// <param name="cancellationToken">
    /// Honoured only while waiting for room in the queue. Once queued, a record will be written, so
    /// the caller keeps waiting for the outcome.
    /// </param>
    public ValueTask<long> CommitAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
    {
        if (record.IsEmpty)
        {
            throw new ArgumentException("Records must not be empty.", nameof(record));
        }

        return EnqueueAsync(new PendingCommit(record), cancellationToken);
    }

    /// <summary>
    /// Commits a small batch as one unit: its records land in the same append with consecutive LSNs.
    /// Completes with the first record's LSN once all are durable.
    /// </summary>
    /// <param name="records">Non-empty records; neither the list nor their memory may change until the task completes.</param>
    /// <param name="cancellationToken">Honoured only while waiting for room in the queue.</param>
    public ValueTask<long> CommitAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            throw new ArgumentException("A commit needs at least one record.", nameof(records));
        }

        RecordFrame.MeasureBatch(records, nameof(records));
        return EnqueueAsync(new PendingCommit(records), cancellationToken);
    }

    /// <summary>Refuses new commits, then waits until every queued commit has been written (or failed).</summary>
    public async ValueTask DisposeAsync()
    {
        Task writer;
        TaskCompletionSource waiters;
        lock (_gate)
        {
            _disposed = true;
            writer = _writer;
            waiters = _roomAvailable;
        }

        // Callers waiting for room wake up, see the committer disposed, and throw.
        waiters.TrySetResult();
        await writer.ConfigureAwait(false);
    }

    private ValueTask<long> EnqueueAsync(PendingCommit commit, CancellationToken cancellationToken) =>
        TryEnqueue(commit, out var room)
            ? new ValueTask<long>(commit.Completion.Task)
            : EnqueueWhenRoomAsync(commit, room, cancellationToken);

    private async ValueTask<long> EnqueueWhenRoomAsync(PendingCommit commit, Task room, CancellationToken cancellationToken)
    {
        do
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        while (!TryEnqueue(commit, out room));

        return await commit.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Queues the commit (starting the writer if idle), or returns the task that signals room.</summary>
    private bool TryEnqueue(PendingCommit commit, out Task room)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!HasRoomFor(commit))
            {
                room = _roomAvailable.Task;
                return false;
            }

            _queue.Enqueue(commit);
            _queuedBytes += commit.Bytes;
            _queuedRecords += commit.Count;
            _metrics.LogQueuedRecords.Add(commit.Count);
            if (!_writing)
            {
                _writing = true;
                _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
            }

            room = Task.CompletedTask;
            return true;
        }
    }

    // An empty queue always admits one commit, however large, so nothing can wait forever.
    private bool HasRoomFor(PendingCommit commit) =>
        _queuedRecords == 0
        || (_queuedRecords + commit.Count <= _options.MaxQueuedRecords && _queuedBytes + commit.Bytes <= _options.MaxQueuedBytes);

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingCommit>();
        var records = new List<ReadOnlyMemory<byte>>();
        while (true)
        {
            TaskCompletionSource room;
            long batchBytes = 0;
            var batchRecords = 0;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                while (_queue.TryPeek(out var next)
                    && (batch.Count == 0
                        || (batchRecords + next.Count <= _options.MaxBatchRecords && batchBytes + next.Bytes <= _options.MaxBatchBytes)))
                {
                    _queue.Dequeue();
                    batch.Add(next);
                    batchRecords += next.Count;
                    batchBytes += next.Bytes;
                }

                _queuedBytes -= batchBytes;
                _queuedRecords -= batchRecords;
                _metrics.LogQueuedRecords.Add(-batchRecords);
                room = _roomAvailable;
                _roomAvailable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            room.TrySetResult();
            await WriteBatchAsync(batch, records, batchBytes).ConfigureAwait(false);
            batch.Clear();
            records.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingCommit> batch, List<ReadOnlyMemory<byte>> records, long batchBytes)
    {
        long lsn;
        try
        {
            foreach (var commit in batch)
            {
                commit.AddTo(records);
            }

            lsn = await _log.AppendAsync(records, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever failed, every caller in the batch hears of it; the loop goes on with the next.
            _metrics.LogFailedBatches.Add(1);
            _logger.GroupCommitFailed(ex, _log.Name, records.Count, batch.Count);
            foreach (var commit in batch)
            {
                commit.Completion.TrySetException(ex);
            }

            return;
        }

        Interlocked.Increment(ref _batchesWritten);
        Interlocked.Add(ref _recordsWritten, records.Count);
        _metrics.LogBatches.Add(1);
        _metrics.LogRecords.Add(records.Count);
        _metrics.LogBytes.Add(batchBytes);

        foreach (var commit in batch)
        {
            commit.Completion.TrySetResult(lsn);
            lsn += commit.Count;
        }
    }
}
