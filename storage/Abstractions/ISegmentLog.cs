namespace TamTam.Storage;

/// <summary>
/// A durable, append-only log of opaque records, numbered by LSN (log sequence number) from 1 with no
/// gaps, so that callers can index records by number rather than by byte offset.
/// </summary>
/// <remarks>
/// <para>
/// <b>One writer per log.</b> A log belongs to one owner at a time (in TamTam, the grain activation
/// that owns it; Orleans' single activation provides that across the cluster). An implementation
/// refuses a second concurrent opener where it can detect one, and serializes concurrent
/// <see cref="AppendAsync"/> calls from its one owner, but it cannot merge two writers' views.
/// </para>
/// <para>
/// For many small concurrent appends, go through a <see cref="GroupCommitter"/>: it turns them into
/// few large appends, each paying one write and one fsync.
/// </para>
/// </remarks>
public interface ISegmentLog : IAsyncDisposable
{
    /// <summary>The log's name, as given to <see cref="ISegmentLogStore.OpenAsync"/>.</summary>
    string Name { get; }

    /// <summary>
    /// The LSN of the oldest record still stored, or <see cref="NextLsn"/> when the log is empty.
    /// <see cref="TruncateBeforeAsync"/> moves it forward.
    /// </summary>
    long FirstLsn { get; }

    /// <summary>The LSN the next appended record will get; one past the newest durable record.</summary>
    long NextLsn { get; }

    /// <summary>
    /// The LSN of the first record of the newest segment, the one appends go to (<see cref="NextLsn"/> when the log has
    /// no segment yet). It moves forward when the backend starts a segment (by size, or by its block limit on
    /// append blobs); an owner that compacts by checkpoint can watch it, because only a sealed segment can be dropped,
    /// and replay reads every stored segment.
    /// </summary>
    long ActiveSegmentFirstLsn { get; }

    /// <summary>
    /// Appends a batch of records with one write and one fsync, and completes only once they are durable.
    /// </summary>
    /// <param name="records">
    /// The records, in order. Each must be non-empty. The batch lands contiguously and atomically with
    /// respect to recovery: after a crash, a batch whose append had not completed may be missing from
    /// its first torn record on, never earlier. The memory must not change until the call completes.
    /// </param>
    /// <param name="cancellationToken">
    /// Honoured only while waiting for a concurrent append to finish; once the write starts it runs to
    /// the end, because a half-cancelled write would leave the outcome unknown.
    /// </param>
    /// <returns>The LSN of the first record of the batch (<see cref="NextLsn"/> for an empty batch).</returns>
    /// <exception cref="SegmentLogFaultedException">An earlier append failed; reopen the log.</exception>
    ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads records in LSN order from <paramref name="fromLsn"/> up to the newest record that was
    /// durable when the enumeration started. Records are read with a bounded buffer, segment by segment;
    /// the log is never loaded whole.
    /// </summary>
    /// <param name="fromLsn">
    /// The first LSN wanted (at least 1). If records below <see cref="FirstLsn"/> are asked for, reading
    /// starts at <see cref="FirstLsn"/>: those records were truncated away on purpose.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="StorageCorruptionException">A stored record failed its checks.</exception>
    IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every segment whose records all have LSNs below <paramref name="lsn"/>. This is cheap
    /// compaction: a segment that still holds a record at or above <paramref name="lsn"/> stays whole,
    /// so records below <paramref name="lsn"/> may remain readable. The segment being written to is
    /// never deleted.
    /// </summary>
    ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default);
}
