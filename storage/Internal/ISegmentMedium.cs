namespace TamTam.Storage.Internal;

/// <summary>
/// Where a <see cref="SegmentLog"/> keeps its segments: files in a local directory, or append blobs. The log's
/// algorithm (framing, the one-writer gate, faulting, the view readers snapshot, truncation order) is written once in
/// <see cref="SegmentLog"/>; a medium only creates, appends to, reads, deletes and releases segments.
/// </summary>
/// <remarks>Called under the log's write gate, except <see cref="OpenReadAsync"/>, which readers call concurrently.</remarks>
internal interface ISegmentMedium : IAsyncDisposable
{
    /// <summary>A reason the medium found by itself to refuse appends (a lost lease), or null.</summary>
    Exception? LostReason { get; }

    /// <summary>
    /// True when a sealed segment may end with bytes past its last record (a torn tail recovery could not cut off,
    /// as on append blobs); false when a sealed segment must end exactly after its last record.
    /// </summary>
    bool SealedSegmentsMayEndTorn { get; }

    /// <summary>True when <paramref name="frameBytes"/> more bytes must go to a new segment rather than the active one.</summary>
    bool NeedsNewSegment(LogView view, int frameBytes);

    /// <summary>Creates, durably, the segment whose first record will be <paramref name="firstLsn"/>, and appends go to it from now on.</summary>
    ValueTask<SegmentInfo> StartSegmentAsync(long firstLsn);

    /// <summary>The segment's name as the log's events give it.</summary>
    string NameInLogs(SegmentInfo segment);

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="frames"/> at <paramref name="position"/> of the active segment, and returns once they are durable.</summary>
    ValueTask AppendAsync(byte[] frames, int length, long position);

    /// <summary>
    /// Opens <paramref name="segment"/> for reading its records: the first <paramref name="activeLength"/> bytes when it
    /// is the active segment, all of it when that is null. Null when a sealed segment is gone (truncated after the
    /// reader took its view).
    /// </summary>
    ValueTask<OpenedSegment?> OpenReadAsync(SegmentInfo segment, long? activeLength, int bufferBytes, CancellationToken cancellationToken);

    /// <summary>Deletes a sealed segment.</summary>
    ValueTask DeleteAsync(SegmentInfo segment);

    /// <summary>Makes the deletions made so far durable (a directory fsync), once per truncation.</summary>
    ValueTask DeletionsDoneAsync();
}

/// <summary>A segment open for reading: its records' reader, and what to release once read.</summary>
internal sealed class OpenedSegment(SegmentRecordReader reader, IDisposable source) : IDisposable
{
    public SegmentRecordReader Reader { get; } = reader;

    public void Dispose() => source.Dispose();
}
