using System.Buffers.Binary;

namespace TamTam.Storage.Internal;

/// <summary>
/// The on-disk framing of one log record: u32 LE length, u32 LE CRC-32C of the bytes, then the bytes.
/// </summary>
/// <remarks>
/// Empty records are refused: a zero length with a zero CRC is exactly what a zero-filled tail looks
/// like after a crash on file systems that extend a file before its data reaches the disk, and such a
/// tail must never parse as records.
/// </remarks>
internal static class RecordFrame
{
    /// <summary>Bytes of framing before each record's bytes.</summary>
    public const int HeaderSize = 8;

    /// <summary>The largest record the framing (and one managed array) can hold.</summary>
    public const int MaxRecordBytes = 0x7FFF_FFC7 - HeaderSize;

    /// <summary>Writes the header and the bytes of <paramref name="record"/> into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Write(ReadOnlySpan<byte> record, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(record));
        record.CopyTo(destination[HeaderSize..]);
        return HeaderSize + record.Length;
    }

    /// <summary>Reads a header: the record's length and its expected CRC.</summary>
    public static (uint Length, uint Crc) ReadHeader(ReadOnlySpan<byte> header) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));

    /// <summary>
    /// Checks a batch before anything is written and returns its framed size, so that a bad record
    /// refuses the whole batch instead of leaving half of it behind.
    /// </summary>
    public static long MeasureBatch(IReadOnlyList<ReadOnlyMemory<byte>> records, string paramName)
    {
        long total = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var length = records[i].Length;
            if (length == 0)
            {
                throw new ArgumentException($"Record {i} of the batch is empty; empty records cannot be told apart from a zero-filled torn tail.", paramName);
            }

            if (length > MaxRecordBytes)
            {
                throw new ArgumentException($"Record {i} of the batch is {length} bytes; the limit is {MaxRecordBytes}.", paramName);
            }

            total += HeaderSize + length;
        }

        return total;
    }
}
