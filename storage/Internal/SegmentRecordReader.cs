namespace TamTam.Storage.Internal;

/// <summary>
/// Reads framed records from one segment, front to back, through a bounded buffer: a segment is
/// never loaded whole, only chunks of <c>bufferBytes</c> (or one record, if a record is larger).
/// Each backend supplies how bytes are fetched (a file handle, a blob download stream).
/// </summary>
/// <remarks>
/// In <em>lending</em> mode (recovery scans) the buffer is reused and a record's memory is valid only
/// until the next read. Otherwise each refill takes a fresh chunk, so records handed out stay valid
/// for as long as the caller keeps them: one allocation per chunk, not per record.
/// </remarks>
internal abstract class SegmentRecordReader
{
    private readonly long _length;
    private readonly int _bufferBytes;
    private readonly bool _lendBuffer;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private long _sourceOffset;

    /// <summary>Reads the segment from offset 0 up to <paramref name="length"/> bytes.</summary>
    protected SegmentRecordReader(long length, int bufferBytes, bool lendBuffer)
    {
        _length = length;
        _bufferBytes = bufferBytes;
        _lendBuffer = lendBuffer;
    }

    /// <summary>The file offset of the next unread record: after a torn tail, the length to keep.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next record, or reports the end or invalid bytes (leaving <see cref="Position"/> before them).</summary>
    public async ValueTask<(SegmentReadStatus Status, ReadOnlyMemory<byte> Data)> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _end - _start;
            int needed;
            if (available >= RecordFrame.HeaderSize)
            {
                var (length, crc) = RecordFrame.ReadHeader(_buffer.AsSpan(_start, RecordFrame.HeaderSize));

                // Check the length against the file before trusting it: a torn or garbage header must
                // not make us allocate or read gigabytes.
                if (length == 0 || length > RecordFrame.MaxRecordBytes || Position + RecordFrame.HeaderSize + length > _length)
                {
                    return (SegmentReadStatus.Invalid, default);
                }

                var frameBytes = RecordFrame.HeaderSize + (int)length;
                if (available >= frameBytes)
                {
                    var data = new ReadOnlyMemory<byte>(_buffer, _start + RecordFrame.HeaderSize, (int)length);
                    if (Crc32C.Compute(data.Span) != crc)
                    {
                        return (SegmentReadStatus.Invalid, default);
                    }

                    _start += frameBytes;
                    Position += frameBytes;
                    return (SegmentReadStatus.Record, data);
                }

                needed = frameBytes;
            }
            else
            {
                if (_sourceOffset >= _length)
                {
                    return (available == 0 ? SegmentReadStatus.End : SegmentReadStatus.Invalid, default);
                }

                needed = RecordFrame.HeaderSize;
            }

            if (!await FillAsync(needed, cancellationToken).ConfigureAwait(false))
            {
                // The file is shorter than the extent we were told to read: whatever is left is partial.
                return (_end - _start == 0 ? SegmentReadStatus.End : SegmentReadStatus.Invalid, default);
            }
        }
    }

    /// <summary>Makes at least <paramref name="needed"/> bytes available from <c>_start</c>; false at a premature end of file.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        var leftover = _end - _start;
        var capacity = Math.Max(_bufferBytes, needed);
        if (!_lendBuffer || _buffer.Length < capacity)
        {
            var fresh = new byte[capacity];
            _buffer.AsSpan(_start, leftover).CopyTo(fresh);
            _buffer = fresh;
        }
        else
        {
            _buffer.AsSpan(_start, leftover).CopyTo(_buffer);
        }

        _start = 0;
        _end = leftover;

        while (_end < needed)
        {
            var toRead = (int)Math.Min(_buffer.Length - _end, _length - _sourceOffset);
            if (toRead <= 0)
            {
                return false;
            }

            var read = await ReadSourceAsync(_buffer.AsMemory(_end, toRead), _sourceOffset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _end += read;
            _sourceOffset += read;
        }

        return true;
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes of the segment at <paramref name="offset"/>;
    /// 0 at its end. Offsets only ever grow, one read after the other, so a sequential source may ignore them.
    /// </summary>
    protected abstract ValueTask<int> ReadSourceAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken);
}
