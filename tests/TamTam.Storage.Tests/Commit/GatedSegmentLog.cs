namespace TamTam.Storage.Tests.Commit;

/// <summary>
/// An in-memory <see cref="ISegmentLog"/> whose first append blocks until the test opens the gate,
/// so a test can hold one batch "in the middle of its fsync" and arrange what queues behind it.
/// Chosen appends can be made to fail.
/// </summary>
public sealed class GatedSegmentLog : ISegmentLog
{
    private readonly TaskCompletionSource _firstAppendStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<int> _batchSizes = [];
    private readonly List<byte[]> _records = [];
    private long _nextLsn = 1;

    public string Name => "gated";

    public long FirstLsn => 1;

    public long NextLsn => Interlocked.Read(ref _nextLsn);

    public long ActiveSegmentFirstLsn => FirstLsn;

    /// <summary>Append number n (from 0) fails with the exception this returns, if any.</summary>
    public Func<int, Exception?> FailAppend { get; init; } = _ => null;

    /// <summary>The record count of each append, successful or not, in order.</summary>
    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (_batchSizes)
            {
                return _batchSizes.ToArray();
            }
        }
    }

    /// <summary>Every record appended successfully, in LSN order.</summary>
    public IReadOnlyList<byte[]> Records
    {
        get
        {
            lock (_batchSizes)
            {
                return _records.ToArray();
            }
        }
    }

    /// <summary>Completes when the first append has started and is waiting at the gate.</summary>
    public Task FirstAppendStarted => _firstAppendStarted.Task;

    public void OpenGate() => _gate.TrySetResult();

    public async ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default)
    {
        int index;
        lock (_batchSizes)
        {
            index = _batchSizes.Count;
            _batchSizes.Add(records.Count);
        }

        if (index == 0)
        {
            _firstAppendStarted.TrySetResult();
            await _gate.Task;
        }

        if (FailAppend(index) is { } failure)
        {
            throw failure;
        }

        lock (_batchSizes)
        {
            var first = _nextLsn;
            foreach (var record in records)
            {
                _records.Add(record.ToArray());
            }

            Interlocked.Add(ref _nextLsn, records.Count);
            return first;
        }
    }

    public IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
