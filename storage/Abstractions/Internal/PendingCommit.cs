namespace TamTam.Storage.Internal;

/// <summary>One caller's records waiting in a <see cref="GroupCommitter"/>, and the task that tells it the outcome.</summary>
internal sealed class PendingCommit
{
    private readonly ReadOnlyMemory<byte> _single;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _many;

    public PendingCommit(ReadOnlyMemory<byte> record)
    {
        _single = record;
        Count = 1;
        Bytes = record.Length;
    }

    public PendingCommit(IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        _many = records;
        Count = records.Count;
        for (var i = 0; i < records.Count; i++)
        {
            Bytes += records[i].Length;
        }
    }

    /// <summary>How many records this commit holds; they get consecutive LSNs.</summary>
    public int Count { get; }

    /// <summary>The record bytes (framing excluded).</summary>
    public long Bytes { get; }

    /// <summary>Completes with the first record's LSN once durable, or faults with the batch's failure.</summary>
    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds this commit's records, in order, to a batch.</summary>
    public void AddTo(List<ReadOnlyMemory<byte>> batch)
    {
        if (_many is null)
        {
            batch.Add(_single);
            return;
        }

        for (var i = 0; i < _many.Count; i++)
        {
            batch.Add(_many[i]);
        }
    }
}
