using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One entry of an AUDIT_REPORT: who sent which message to which port, when, and how it ended. Never its payload.</summary>
public readonly record struct AuditEntry(
    Guid MessageId,
    ulong Sequence,
    Utf8Text SrcLink,
    Utf8Text SrcNode,
    Utf8Text Port,
    long AcceptedAt,
    FinalState State,
    uint Recipients,
    uint Confirmed,
    long FinalAt);

/// <summary>AUDIT_REPORT (s→c): one page of a link's audit trail (docs/protocol.md, section 5.20).</summary>
/// <param name="Next">The cursor of the next page; 0 when this page is the last one for now.</param>
/// <param name="Entries">The page's entries, in the trail's order.</param>
public readonly record struct AuditReportFrame(ulong Next, IReadOnlyList<AuditEntry> Entries) : IFrame<AuditReportFrame>
{
    /// <summary>The fewest bytes one entry takes (docs/protocol.md, section 4, rule 7).</summary>
    public const int MinEntrySize = ProtocolLimits.UuidSize + 8 + 2 + 2 + 2 + 8 + 1 + 4 + 4 + 8;

    public static FrameType Type => FrameType.AuditReport;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = 8 + 2;
            foreach (AuditEntry entry in Entries ?? [])
            {
                length += SizeOf(entry);
            }

            return length;
        }
    }

    /// <summary>The bytes <paramref name="entry"/> takes in the frame, so that a server can fill a page up to its maximum body.</summary>
    public static int SizeOf(in AuditEntry entry) =>
        ProtocolLimits.UuidSize + 8 + BodyWriter.SizeOfStr8(entry.SrcLink) + BodyWriter.SizeOfStr8(entry.SrcNode)
        + BodyWriter.SizeOfStr8(entry.Port) + 8 + 1 + 4 + 4 + 8;

    public static AuditReportFrame Read(ref BodyReader reader, ushort flags)
    {
        ulong next = reader.ReadU64("next");
        int count = reader.ReadCount("count", MinEntrySize);
        var entries = new AuditEntry[count];
        for (int i = 0; i < count; i++)
        {
            Guid id = reader.ReadUuid("message_id");
            ulong sequence = reader.ReadU64("sequence");
            if (sequence == 0)
            {
                throw reader.OutOfRange("sequence", "must be ≥ 1");
            }

            Utf8Text srcLink = reader.ReadName("src_link");
            Utf8Text srcNode = reader.ReadName("src_node");
            Utf8Text port = reader.ReadPort("port");
            long acceptedAt = reader.ReadTimestamp("accepted_at");
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

            entries[i] = new AuditEntry(id, sequence, srcLink, srcNode, port, acceptedAt, (FinalState)state, recipients, confirmed,
                reader.ReadTimestamp("final_at"));
        }

        return new AuditReportFrame(next, entries);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<AuditEntry> entries = Entries ?? [];
        if (entries.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "an AUDIT_REPORT holds at most 65,535 entries");
        }

        writer.WriteU64(Next);
        writer.WriteU16((ushort)entries.Count);
        foreach (AuditEntry entry in entries)
        {
            writer.WriteUuid(entry.MessageId);
            writer.WriteU64(entry.Sequence);
            writer.WriteName(entry.SrcLink, "src_link");
            writer.WriteName(entry.SrcNode, "src_node");
            writer.WritePort(entry.Port, "port");
            writer.WriteI64(entry.AcceptedAt);
            writer.WriteU8((byte)entry.State);
            writer.WriteU32(entry.Recipients);
            writer.WriteU32(entry.Confirmed);
            writer.WriteI64(entry.FinalAt);
        }
    }
}
