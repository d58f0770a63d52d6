using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// A local payload's data file is a log of part records, each a 24-byte header then the part's bytes. Header:
/// magic <c>TTPR</c>, u32 index, u32 length, u32 CRC-32C of the part's bytes, u32 reserved (0), u32 CRC-32C of
/// the 20 header bytes before it; all little-endian. The log checks itself: no other file says which records
/// are whole.
/// </summary>
/// <remarks>
/// <para>
/// A record is acknowledged only once it and every record before it are fsynced, so after a crash the
/// acknowledged records are a prefix of the log, each with a matching header and part CRC; reading stops at the
/// first record that is short or does not match (a write the crash cut), and what follows it was never
/// acknowledged. The last record of an index wins.
/// </para>
/// <para>
/// A data file of the earlier format (bare part bytes, with a journal beside it,
/// <see cref="PartStager.OldJournalFileName"/>) starts with no header that matches, so it reads as holding no
/// part; staging to it again cuts those bytes and deletes the journal.
/// </para>
/// <para>
/// Records are deliberately not 1 MiB: with the default parts (1 MiB − 28 bytes, a PART frame of 1 MiB), a
/// 28-byte header made every record 1 MiB and 1 MiB-aligned, and on Linux 6.18 (ext4, large folios) such writes
/// cost the kernel 4–5 times the CPU of the same bytes unaligned (measured: 1.3–1.5 s against 0.3 s of system
/// time per GiB written).
/// </para>
/// </remarks>
internal static class PartRecord
{
    /// <summary>The size of a record's header.</summary>
    public const int HeaderSize = 24;

    private const uint Magic = 0x52505454; // "TTPR" read as a little-endian u32
    private const int HeaderCrcOffset = 20;

    // The log is read back in chunks of this size when it is scanned.
    private const int ScanChunk = 1 << 20;

    /// <summary>Writes the header of <paramref name="part"/> into the first <see cref="HeaderSize"/> bytes of <paramref name="destination"/>.</summary>
    public static void WriteHeader(StagedPart part, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], part.Index);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], part.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], part.Crc32C);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[HeaderCrcOffset..], Crc32C.Compute(destination[..HeaderCrcOffset]));
    }

    /// <summary>
    /// Reads the log in <paramref name="data"/> from the start, checking every record: the latest whole record of
    /// each index, and where the whole records end (what follows is a torn tail). Blocking; reads the whole log.
    /// </summary>
    public static Dictionary<int, StagedPart> Scan(SafeFileHandle data, out long validEnd)
    {
        var parts = new Dictionary<int, StagedPart>();
        var length = RandomAccess.GetLength(data);
        Span<byte> header = stackalloc byte[HeaderSize];
        var buffer = ArrayPool<byte>.Shared.Rent(ScanChunk);
        try
        {
            validEnd = 0;
            while (validEnd + HeaderSize <= length)
            {
                if (RandomAccess.Read(data, header, validEnd) != HeaderSize
                    || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic
                    || Crc32C.Compute(header[..HeaderCrcOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCrcOffset..]))
                {
                    break;
                }

                var part = new StagedPart(
                    BinaryPrimitives.ReadInt32LittleEndian(header[4..]),
                    BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
                    validEnd + HeaderSize,
                    BinaryPrimitives.ReadUInt32LittleEndian(header[12..]));
                if (part.Index < 0 || part.Length <= 0 || part.Offset + part.Length > length
                    || ComputeCrc(data, part.Offset, part.Length, buffer) is not { } crc || crc != part.Crc32C)
                {
                    break;
                }

                parts[part.Index] = part;
                validEnd = part.Offset + part.Length;
            }

            return parts;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The CRC-32C of <paramref name="length"/> bytes of <paramref name="data"/> from <paramref name="offset"/>; null when the file ends first.</summary>
    private static uint? ComputeCrc(SafeFileHandle data, long offset, int length, byte[] buffer)
    {
        var crc = Crc32C.Initial;
        while (length > 0)
        {
            var read = RandomAccess.Read(data, buffer.AsSpan(0, Math.Min(length, buffer.Length)), offset);
            if (read == 0)
            {
                return null;
            }

            crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
            offset += read;
            length -= read;
        }

        return Crc32C.Finish(crc);
    }
}

/// <summary>A part staged in a local payload's data file: where its bytes start, and their CRC-32C.</summary>
internal readonly record struct StagedPart(int Index, int Length, long Offset, uint Crc32C);
