using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATUS (s→c): the final state of an accepted message, kept until STATUS_ACK.</summary>
public readonly record struct StatusFrame(Guid MessageId, FinalState State, uint Recipients, uint Confirmed, long At, Utf8Text Detail)
    : IFrame<StatusFrame>
{
    public static FrameType Type => FrameType.Status;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 1 + 4 + 4 + 8 + BodyWriter.SizeOfText(Detail);

    public static StatusFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("message_id");
        byte state = reader.ReadU8("state");
        if (state is < (byte)FinalState.Delivered or > (byte)FinalStates.Last)
        {
            throw reader.OutOfRange("state", $"must be 1 … {(byte)FinalStates.Last}, got {state}");
        }

        uint recipients = reader.ReadU32("recipients");
        uint confirmed = reader.ReadU32("confirmed");
        if (confirmed > recipients)
        {
            throw reader.OutOfRange("confirmed", $"{confirmed} exceeds recipients {recipients}");
        }

        return new StatusFrame(id, (FinalState)state, recipients, confirmed, reader.ReadTimestamp("at"), reader.ReadText("detail"));
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteU8((byte)State);
        writer.WriteU32(Recipients);
        writer.WriteU32(Confirmed);
        writer.WriteI64(At);
        writer.WriteText(Detail, "detail");
    }
}
