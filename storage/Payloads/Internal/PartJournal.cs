using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// The journal of a local payload's staged parts: 24-byte records, u32 index, u32 length, u64 offset in the
/// data file, u32 reserved (0), u32 CRC-32C of the 20 bytes before it; all little-endian. A record is appended
/// only once its part's bytes are fsynced in the data file, so a record read back names bytes that are there.
/// </summary>
/// <remarks>
/// Records are only appended. The last record of an index wins (a part staged again); reading stops at the
/// first record that is short or whose CRC does not match: a tail torn by a crash, never acknowledged.
/// </remarks>
internal static class PartJournal
{
    /// <summary>The size of one record.</summary>
    public const int RecordSize = 24;

    private const int CrcOffset = 20;

    /// <summary>Writes the record of a part into the first <see cref="RecordSize"/> bytes of <paramref name="destination"/>.</summary>
    public static void Write(StagedPart part, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, part.Index);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], part.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], part.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcOffset..], Crc32C.Compute(destination[..CrcOffset]));
    }

    /// <summary>
    /// Reads the journal at <paramref name="path"/>: the latest record of each index, and where the whole records
    /// end (the next append goes there). An absent journal is an empty one.
    /// </summary>
    public static Dictionary<int, StagedPart> Read(string path, out long validLength)
    {
        var parts = new Dictionary<int, StagedPart>();
        validLength = 0;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return parts;
        }

        for (var at = 0; at + RecordSize <= bytes.Length; at += RecordSize)
        {
            var record = bytes.AsSpan(at, RecordSize);
            if (Crc32C.Compute(record[..CrcOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(record[CrcOffset..]))
            {
                break;
            }

            var part = new StagedPart(
                BinaryPrimitives.ReadInt32LittleEndian(record),
                BinaryPrimitives.ReadInt32LittleEndian(record[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(record[8..]));
            if (part.Index >= 0 && part.Length > 0 && part.Offset >= 0)
            {
                parts[part.Index] = part;
            }

            validLength = at + RecordSize;
        }

        return parts;
    }

    /// <summary>Appends the records of <paramref name="parts"/> at <paramref name="offset"/> of <paramref name="journal"/>.</summary>
    public static void Append(SafeFileHandle journal, long offset, IReadOnlyList<StagedPart> parts)
    {
        Span<byte> records = parts.Count <= 64 ? stackalloc byte[parts.Count * RecordSize] : new byte[parts.Count * RecordSize];
        for (var i = 0; i < parts.Count; i++)
        {
            Write(parts[i], records.Slice(i * RecordSize, RecordSize));
        }

        RandomAccess.Write(journal, records, offset);
    }
}

/// <summary>Where a staged part's bytes are in a local payload's data file.</summary>
internal readonly record struct StagedPart(int Index, int Length, long Offset);
