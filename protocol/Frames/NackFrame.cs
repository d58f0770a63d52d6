using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>NACK (c→s): the receiver rejects a delivery, or with <see cref="Requeue"/> asks for it later.</summary>
public readonly record struct NackFrame(Guid MessageId, ulong Sequence, ushort Reason, Utf8Text Detail, bool Requeue) : IFrame<NackFrame>
{
    public const ushort RequeueFlag = 0x0001;

    public static FrameType Type => FrameType.Nack;

    public static ushort DefinedFlags => RequeueFlag;

    public static bool HasPayload => false;

    public ushort Flags => Requeue ? RequeueFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 8 + 2 + BodyWriter.SizeOfText(Detail);

    public static NackFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadUuid("message_id"), reader.ReadU64("sequence"), reader.ReadU16("reason"), reader.ReadText("detail"),
            (flags & RequeueFlag) != 0);

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteU64(Sequence);
        writer.WriteU16(Reason);
        writer.WriteText(Detail, "detail");
    }
}
