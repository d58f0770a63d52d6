using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>ACK (c→s): the receiver has done its work on a delivery.</summary>
public readonly record struct AckFrame(Guid MessageId, ulong Sequence) : IFrame<AckFrame>
{
    public static FrameType Type => FrameType.Ack;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 8;

    public static AckFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadUuid("message_id"), reader.ReadU64("sequence"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteU64(Sequence);
    }
}
