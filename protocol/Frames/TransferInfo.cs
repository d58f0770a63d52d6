namespace TamTam.Protocol.Frames;

/// <summary>The fields a PARTED SEND or DELIVER carries instead of an inline payload.</summary>
public readonly record struct TransferInfo(ulong TotalSize, uint PartSize, uint PartCount, ReadOnlyMemory<byte> Sha256)
{
    internal const int Size = 8 + 4 + 4 + ProtocolLimits.Sha256Size;

    /// <summary>The part count a payload of <paramref name="totalSize"/> bytes needs.</summary>
    public static uint PartCountFor(ulong totalSize, uint partSize) =>
        partSize == 0 ? 0 : (uint)((totalSize + partSize - 1) / partSize);

    internal static TransferInfo Read(ref BodyReader reader)
    {
        ulong total = reader.ReadU64("total_size");
        if (total == 0)
        {
            throw reader.OutOfRange("total_size", "must be at least 1");
        }

        uint partSize = reader.ReadU32("part_size");
        if (partSize is 0 or > ProtocolLimits.MaxBodyCeiling)
        {
            throw reader.OutOfRange("part_size", $"must be 1 … {ProtocolLimits.MaxBodyCeiling}, got {partSize}");
        }

        uint count = reader.ReadU32("part_count");
        ulong expected = (total + partSize - 1) / partSize;
        if (count != expected)
        {
            throw reader.OutOfRange("part_count", $"{total} bytes in parts of {partSize} make {expected} parts, not {count}");
        }

        return new TransferInfo(total, partSize, count, reader.ReadSha256("sha256"));
    }

    internal void Write(ref BodyWriter writer)
    {
        writer.WriteU64(TotalSize);
        writer.WriteU32(PartSize);
        writer.WriteU32(PartCount);
        writer.WriteSha256(Sha256, "sha256");
    }
}
