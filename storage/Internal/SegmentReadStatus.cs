namespace TamTam.Storage.Internal;

/// <summary>What <see cref="SegmentRecordReader.ReadNextAsync"/> found at the reader's position.</summary>
internal enum SegmentReadStatus
{
    /// <summary>A whole record whose CRC matched.</summary>
    Record,

    /// <summary>The end of the readable extent, exactly on a record boundary.</summary>
    End,

    /// <summary>
    /// Bytes that are not a valid record: a short header, a zero length, a length running past the
    /// end, or a CRC mismatch. At the tail of the last segment this is a torn write; anywhere else,
    /// corruption.
    /// </summary>
    Invalid,
}
