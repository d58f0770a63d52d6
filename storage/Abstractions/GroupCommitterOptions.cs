namespace TamTam.Storage;

/// <summary>Bounds of a <see cref="GroupCommitter"/>: how big one write may get, and how much may wait for it.</summary>
public sealed record GroupCommitterOptions
{
    /// <summary>
    /// A batch stops growing before it would pass this many record bytes (default 1 MiB). A single
    /// commit larger than this is still written, alone.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024;

    /// <summary>A batch holds at most this many records (default 4,096), unless a single commit has more.</summary>
    public int MaxBatchRecords { get; init; } = 4096;

    /// <summary>
    /// Once this many record bytes wait for the next batch (default 8 MiB), further callers wait for
    /// room: backpressure, never a drop.
    /// </summary>
    public long MaxQueuedBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>Once this many records wait for the next batch (default 32,768), further callers wait for room.</summary>
    public int MaxQueuedRecords { get; init; } = 32 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1, nameof(MaxBatchRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedBytes, 1, nameof(MaxQueuedBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedRecords, 1, nameof(MaxQueuedRecords));
    }
}
