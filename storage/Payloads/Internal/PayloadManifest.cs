using System.Buffers.Binary;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// The manifest that marks a local payload committed: magic <c>TTPM</c>, u16 format (2), u16 reserved,
/// u64 total size, u32 part size, u32 part count, then the u64 offset of each part in the data file in index
/// order, then u32 CRC-32C of every byte before it; all little-endian.
/// </summary>
/// <remarks>
/// The manifest is written only after every part's size was checked, and atomically (temporary file,
/// fsync, rename, directory fsync): its presence is the commit. Parts are written to the data file in the
/// order they arrive, hence the offsets. Its CRC lets a read tell a damaged manifest from a payload that is
/// not there.
/// </remarks>
internal static class PayloadManifest
{
    private const uint Magic = 0x4D505454; // "TTPM" read as a little-endian u32
    private const ushort FormatVersion = 2;
    private const int HeaderSize = 24;

    /// <summary>The manifest's size for <paramref name="partCount"/> parts.</summary>
    public static int SizeFor(int partCount) => HeaderSize + (partCount * sizeof(long)) + sizeof(uint);

    /// <summary>Writes <paramref name="layout"/> and the parts' <paramref name="offsets"/> into <paramref name="destination"/> (<see cref="SizeFor"/> bytes).</summary>
    public static void Write(PayloadLayout layout, ReadOnlySpan<long> offsets, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], layout.TotalSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], layout.PartSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], layout.PartCount);
        for (var i = 0; i < offsets.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[(HeaderSize + (i * sizeof(long)))..], offsets[i]);
        }

        var crcAt = SizeFor(layout.PartCount) - sizeof(uint);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[crcAt..], Crc32C.Compute(destination[..crcAt]));
    }

    /// <summary>Parses a manifest, or explains in <paramref name="problem"/> why it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out CommittedPayload payload, out string problem)
    {
        payload = default;
        if (source.Length < SizeFor(0))
        {
            problem = $"the manifest is {source.Length} bytes, too short for one";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != FormatVersion)
        {
            problem = $"the manifest does not start with TTPM format {FormatVersion}";
            return false;
        }

        var crcAt = source.Length - sizeof(uint);
        if (Crc32C.Compute(source[..crcAt]) != BinaryPrimitives.ReadUInt32LittleEndian(source[crcAt..]))
        {
            problem = "the manifest's CRC does not match";
            return false;
        }

        var layout = new PayloadLayout(
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[20..]));
        if (layout.PartCount < 1 || source.Length != SizeFor(layout.PartCount))
        {
            problem = $"the manifest is {source.Length} bytes, not what {layout.PartCount} parts take";
            return false;
        }

        var offsets = new long[layout.PartCount];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(HeaderSize + (i * sizeof(long)))..]);
        }

        payload = new CommittedPayload(layout, offsets);
        problem = string.Empty;
        return true;
    }
}

/// <summary>A committed local payload: its layout and where each part starts in the data file.</summary>
internal readonly record struct CommittedPayload(PayloadLayout Layout, long[] Offsets)
{
    /// <summary>Whether this is the same commit as <paramref name="other"/>.</summary>
    public bool SameAs(CommittedPayload other) => Layout == other.Layout && Offsets.AsSpan().SequenceEqual(other.Offsets);
}
