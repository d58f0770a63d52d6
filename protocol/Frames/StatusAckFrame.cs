using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATUS_ACK (c→s): the sender has seen the STATUS of this message; the server forgets it.</summary>
public readonly record struct StatusAckFrame(Guid MessageId) : IFrame<StatusAckFrame>
{
    public static FrameType Type => FrameType.StatusAck;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize;

    public static StatusAckFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadUuid("message_id"));

    public void WriteFields(ref BodyWriter writer) => writer.WriteUuid(MessageId);
}
