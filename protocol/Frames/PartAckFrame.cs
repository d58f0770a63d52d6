using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>PART_ACK (both): a part is durable (result 0) or must be sent again (an error code).</summary>
public readonly record struct PartAckFrame(Guid TransferId, uint Index, ErrorCode Result) : IFrame<PartAckFrame>
{
    public static FrameType Type => FrameType.PartAck;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 4 + 2;

    public static PartAckFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadUuid("transfer_id"), reader.ReadU32("index"), (ErrorCode)reader.ReadU16("result"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(TransferId);
        writer.WriteU32(Index);
        writer.WriteU16((ushort)Result);
    }
}
