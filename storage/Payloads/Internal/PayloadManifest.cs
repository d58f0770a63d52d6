using System.Buffers.Binary;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// The 28-byte manifest that marks a local payload committed: magic <c>TTPM</c>, u16 format (1),
/// u16 reserved, u64 total size, u32 part size, u32 part count, u32 CRC-32C of the 24 bytes before it;
/// all little-endian.
/// </summary>
/// <remarks>
/// The manifest is written only after every part's size was checked, and atomically (temporary file,
/// fsync, rename, directory fsync): its presence is the commit. Its CRC lets a read tell a damaged
/// manifest from a payload that is not there.
/// </remarks>
internal static class PayloadManifest
{
    /// <summary>The manifest's size in bytes.</summary>
    public const int Size = 28;

    private const uint Magic = 0x4D505454; // "TTPM" read as a little-endian u32
    private const ushort FormatVersion = 1;
    private const int CrcOffset = 24;

    /// <summary>Writes <paramref name="layout"/> into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public static void Write(PayloadLayout layout, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], layout.TotalSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], layout.PartSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], layout.PartCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcOffset..], Crc32C.Compute(destination[..CrcOffset]));
    }

    /// <summary>Parses a manifest, or explains in <paramref name="problem"/> why it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out PayloadLayout layout, out string problem)
    {
        layout = default;
        if (source.Length != Size)
        {
            problem = $"the manifest is {source.Length} bytes, not {Size}";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != FormatVersion)
        {
            problem = "the manifest does not start with TTPM format 1";
            return false;
        }

        if (Crc32C.Compute(source[..CrcOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(source[CrcOffset..]))
        {
            problem = "the manifest's CRC does not match";
            return false;
        }

        layout = new PayloadLayout(
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[20..]));
        problem = string.Empty;
        return true;
    }
}
