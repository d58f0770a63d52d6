using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>Copies MESSAGE_REPORT and AUDIT_REPORT frames out of the connection's buffers.</summary>
internal static class DescriptorReader
{
    public static MessageDescriptor Read(in MessageReportFrame frame)
    {
        var recipients = new MessageRecipient[frame.Recipients.Count];
        for (int i = 0; i < recipients.Length; i++)
        {
            RecipientEntry entry = frame.Recipients[i];
            recipients[i] = new MessageRecipient(entry.Node.ToString(), entry.Outcome, entry.Attempts);
        }

        return new MessageDescriptor(frame.MessageId, frame.Sequence, frame.SrcLink.ToString(), frame.SrcNode.ToString(),
            frame.DestLink.ToString(), frame.DestPort.ToString(), frame.FinalState, Timestamps.FromMicroseconds(frame.AcceptedAt),
            Timestamps.FromOptional(frame.Deadline), Timestamps.FromOptional(frame.FinalAt),
            frame.Detail.ToString(), recipients, frame.Truncated);
    }

    public static AuditPage Read(in AuditReportFrame frame)
    {
        var records = new AuditRecord[frame.Entries.Count];
        for (int i = 0; i < records.Length; i++)
        {
            AuditEntry e = frame.Entries[i];
            records[i] = new AuditRecord(e.MessageId, e.Sequence, e.SrcLink.ToString(), e.SrcNode.ToString(), e.Port.ToString(),
                Timestamps.FromMicroseconds(e.AcceptedAt), e.State, e.Recipients, e.Confirmed, Timestamps.FromMicroseconds(e.FinalAt));
        }

        return new AuditPage(records, frame.Next);
    }
}
