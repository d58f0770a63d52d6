using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>PART (both): one part of a PARTED message, with the CRC-32C of its bytes.</summary>
public readonly record struct PartFrame(Guid TransferId, uint Index, uint Count, uint Crc32C, ReadOnlySequence<byte> Payload)
    : IFrame<PartFrame>
{
    public static FrameType Type => FrameType.Part;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => true;

    public ushort Flags => 0;

    public int FieldsLength => ProtocolLimits.UuidSize + 4 + 4 + 4;

    public static PartFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("transfer_id");
        uint index = reader.ReadU32("index");
        uint count = reader.ReadU32("count");
        if (count == 0)
        {
            throw reader.OutOfRange("count", "must be at least 1");
        }

        if (index >= count)
        {
            throw reader.OutOfRange("index", $"{index} is not below count {count}");
        }

        uint crc = reader.ReadU32("crc32c");
        ReadOnlySequence<byte> payload = reader.ReadPayload();
        if (payload.IsEmpty)
        {
            throw reader.BadLength("a PART carries at least one byte");
        }

        return new PartFrame(id, index, count, crc, payload);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(TransferId);
        writer.WriteU32(Index);
        writer.WriteU32(Count);
        writer.WriteU32(Crc32C);
    }
}
