using System.Buffers.Binary;
using System.Globalization;

namespace TamTam.Storage.Local.Internal;

/// <summary>
/// The 32-byte header in front of a stored grain state:
/// magic <c>TTGS</c>, u16 format (1), u16 reserved, u64 version, u64 incarnation,
/// u32 payload length, u32 CRC-32C of the payload; all little-endian.
/// </summary>
/// <remarks>
/// The ETag is <c>"{version}-{incarnation:x16}"</c>. The version grows by one with every write; the
/// incarnation is random, chosen when the record is created. Clearing deletes the file, so without the
/// incarnation a record cleared and written again would restart at version 1, and a stale activation
/// still holding the old "1" would pass the check.
/// </remarks>
/// <param name="Version">The write count of this incarnation, from 1.</param>
/// <param name="Incarnation">A random identity of this record since it was last created.</param>
/// <param name="PayloadLength">The serialized state's length.</param>
/// <param name="PayloadCrc">The CRC-32C of the serialized state.</param>
internal readonly record struct GrainStateFileHeader(ulong Version, ulong Incarnation, uint PayloadLength, uint PayloadCrc)
{
    /// <summary>The header's size in bytes.</summary>
    public const int Size = 32;

    private const uint Magic = 0x53475454; // "TTGS" read as a little-endian u32
    private const ushort FormatVersion = 1;

    /// <summary>The ETag the runtime sees for this version of the record.</summary>
    public string ETag => string.Create(CultureInfo.InvariantCulture, $"{Version}-{Incarnation:x16}");

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Incarnation);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], PayloadCrc);
    }

    /// <summary>Parses a header, or explains in <paramref name="problem"/> why it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out GrainStateFileHeader header, out string problem)
    {
        header = default;
        if (source.Length < Size)
        {
            problem = $"the file is {source.Length} bytes, shorter than the {Size}-byte header";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            problem = "the header does not start with TTGS";
            return false;
        }

        var format = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (format != FormatVersion)
        {
            problem = $"unknown format version {format}";
            return false;
        }

        header = new GrainStateFileHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[28..]));
        problem = string.Empty;
        return true;
    }
}
