using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>ACCEPTED (s→c): the SEND with the same correlation is durable and has its place in the link's order.</summary>
public readonly record struct AcceptedFrame(Guid MessageId, ulong Sequence, long AcceptedAt, bool Duplicate) : IFrame<AcceptedFrame>
{
    public const ushort DuplicateFlag = 0x0001;

    public static FrameType Type => FrameType.Accepted;

    public static ushort DefinedFlags => DuplicateFlag;

    public static bool HasPayload => false;

    public ushort Flags => Duplicate ? DuplicateFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 8 + 8;

    public static AcceptedFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("message_id");
        ulong sequence = reader.ReadU64("sequence");
        if (sequence == 0)
        {
            throw reader.OutOfRange("sequence", "must be at least 1");
        }

        return new AcceptedFrame(id, sequence, reader.ReadTimestamp("accepted_at"), (flags & DuplicateFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteU64(Sequence);
        writer.WriteI64(AcceptedAt);
    }
}
