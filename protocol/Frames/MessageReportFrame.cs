using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One recipient in a MESSAGE_REPORT: its node, how its delivery stands, and how many attempts it took.</summary>
public readonly record struct RecipientEntry(Utf8Text Node, DeliveryOutcome Outcome, ushort Attempts);

/// <summary>
/// MESSAGE_REPORT (s→c): one message's descriptor — its place in the link's order, addresses, times, state (0 while
/// pending, else its final state) and recipients (docs/protocol.md, section 5.19).
/// </summary>
public readonly record struct MessageReportFrame(
    Guid MessageId,
    ulong Sequence,
    Utf8Text SrcLink,
    Utf8Text SrcNode,
    Utf8Text DestLink,
    Utf8Text DestPort,
    byte State,
    long AcceptedAt,
    long Deadline,
    long FinalAt,
    Utf8Text Detail,
    IReadOnlyList<RecipientEntry> Recipients,
    bool Truncated) : IFrame<MessageReportFrame>
{
    public const ushort TruncatedFlag = 0x0001;

    /// <summary>The fewest bytes one recipient entry takes (docs/protocol.md, section 4, rule 7).</summary>
    public const int MinRecipientSize = 2 + 1 + 2;

    public static FrameType Type => FrameType.MessageReport;

    public static ushort DefinedFlags => TruncatedFlag;

    public static bool HasPayload => false;

    public ushort Flags => Truncated ? TruncatedFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    /// <summary>The final state, or null while the message is pending (<see cref="State"/> 0).</summary>
    public FinalState? FinalState => State == 0 ? null : (FinalState)State;

    public int FieldsLength
    {
        get
        {
            int length = ProtocolLimits.UuidSize + 8 + BodyWriter.SizeOfStr8(SrcLink) + BodyWriter.SizeOfStr8(SrcNode)
                + BodyWriter.SizeOfStr8(DestLink) + BodyWriter.SizeOfStr8(DestPort) + 1 + 8 + 8 + 8 + BodyWriter.SizeOfText(Detail) + 2;
            foreach (RecipientEntry entry in Recipients ?? [])
            {
                length += BodyWriter.SizeOfStr8(entry.Node) + 1 + 2;
            }

            return length;
        }
    }

    public static MessageReportFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("message_id");
        ulong sequence = reader.ReadU64("sequence");
        if (sequence == 0)
        {
            throw reader.OutOfRange("sequence", "must be ≥ 1");
        }

        Utf8Text srcLink = reader.ReadName("src_link");
        Utf8Text srcNode = reader.ReadName("src_node");
        Utf8Text destLink = reader.ReadName("dest_link");
        Utf8Text destPort = reader.ReadPort("dest_port");
        byte state = reader.ReadU8("state");
        if (state > (byte)FinalStates.Last)
        {
            throw reader.OutOfRange("state", $"must be 0 … {(byte)FinalStates.Last}, got {state}");
        }

        long acceptedAt = reader.ReadTimestamp("accepted_at");
        long deadline = reader.ReadTimestamp("deadline");
        long finalAt = reader.ReadTimestamp("final_at");
        Utf8Text detail = reader.ReadText("detail");
        int count = reader.ReadCount("count", MinRecipientSize);
        var recipients = new RecipientEntry[count];
        for (int i = 0; i < count; i++)
        {
            Utf8Text node = reader.ReadName("node");
            byte outcome = reader.ReadU8("outcome");
            if (outcome > (byte)DeliveryOutcomes.Last)
            {
                throw reader.OutOfRange("outcome", $"must be 0 … {(byte)DeliveryOutcomes.Last}, got {outcome}");
            }

            recipients[i] = new RecipientEntry(node, (DeliveryOutcome)outcome, reader.ReadU16("attempts"));
        }

        return new MessageReportFrame(id, sequence, srcLink, srcNode, destLink, destPort, state, acceptedAt, deadline, finalAt, detail,
            recipients, (flags & TruncatedFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<RecipientEntry> recipients = Recipients ?? [];
        if (recipients.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a MESSAGE_REPORT holds at most 65,535 recipients");
        }

        writer.WriteUuid(MessageId);
        writer.WriteU64(Sequence);
        writer.WriteName(SrcLink, "src_link");
        writer.WriteName(SrcNode, "src_node");
        writer.WriteName(DestLink, "dest_link");
        writer.WritePort(DestPort, "dest_port");
        writer.WriteU8(State);
        writer.WriteI64(AcceptedAt);
        writer.WriteI64(Deadline);
        writer.WriteI64(FinalAt);
        writer.WriteText(Detail, "detail");
        writer.WriteU16((ushort)recipients.Count);
        foreach (RecipientEntry entry in recipients)
        {
            writer.WriteName(entry.Node, "node");
            writer.WriteU8((byte)entry.Outcome);
            writer.WriteU16(entry.Attempts);
        }
    }
}
