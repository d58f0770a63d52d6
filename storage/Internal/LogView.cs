using System.Collections.Immutable;

namespace TamTam.Storage.Internal;

/// <summary>
/// An immutable snapshot of a log's durable extent, replaced after every append or truncation.
/// Readers take one snapshot and read exactly it, so they never see a record whose write is still in
/// flight, nor need the writer's lock.
/// </summary>
/// <param name="Segments">The segments in LSN order; the last one is being written to.</param>
/// <param name="ActiveLength">The durable length in bytes of the last segment.</param>
/// <param name="NextLsn">The LSN of the next record to be appended.</param>
internal sealed record LogView(ImmutableArray<SegmentInfo> Segments, long ActiveLength, long NextLsn)
{
    /// <summary>The view of a log with no segment yet.</summary>
    public static LogView Empty { get; } = new(ImmutableArray<SegmentInfo>.Empty, 0, 1);

    /// <summary>The LSN of the oldest stored record, or <see cref="NextLsn"/> when there is none.</summary>
    public long FirstLsn => Segments.IsEmpty ? NextLsn : Segments[0].FirstLsn;

    /// <summary>The LSN of the first record of the last segment, or <see cref="NextLsn"/> when there is none.</summary>
    public long ActiveFirstLsn => Segments.IsEmpty ? NextLsn : Segments[^1].FirstLsn;

    /// <summary>The index of the segment that holds <paramref name="lsn"/> (which must be in the log).</summary>
    public int SegmentIndexOf(long lsn)
    {
        var index = Segments.Length - 1;
        while (Segments[index].FirstLsn > lsn)
        {
            index--;
        }

        return index;
    }

    /// <summary>The LSN after the last record of segment <paramref name="index"/>.</summary>
    public long EndLsnOf(int index) => index == Segments.Length - 1 ? NextLsn : Segments[index + 1].FirstLsn;
}
