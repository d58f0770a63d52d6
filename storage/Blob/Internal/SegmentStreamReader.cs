using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob.Internal;

/// <summary>Reads framed records from a blob segment's download stream, front to back.</summary>
internal sealed class SegmentStreamReader : SegmentRecordReader
{
    private readonly Stream _content;

    /// <summary>Reads <paramref name="content"/> (the segment from offset 0) up to <paramref name="length"/> bytes.</summary>
    public SegmentStreamReader(Stream content, long length, int bufferBytes, bool lendBuffer)
        : base(length, bufferBytes, lendBuffer)
    {
        _content = content;
    }

    // The download is sequential and offsets only grow, one read after the other.
    protected override ValueTask<int> ReadSourceAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken) =>
        _content.ReadAsync(destination, cancellationToken);
}
