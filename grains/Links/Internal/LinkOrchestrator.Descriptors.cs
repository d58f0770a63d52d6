using TamTam.Interfaces.Descriptors;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// Messages as descriptors: what the link answers about one message, and its cancellation, decided in the link's order.
internal sealed partial class LinkOrchestrator
{
    /// <summary>Entries that ended before this are past the ledger's retention: unknown from then on.</summary>
    public long LedgerCutoffUs(long now) => now - (long)Options.LedgerRetention.TotalMicroseconds;

    /// <summary>
    /// CANCEL of a pending message: every recipient not yet settled is settled CANCELED, and the message ends CANCELED
    /// (records applied, its status in <paramref name="finalized"/>). Recipients that acknowledged before keep their
    /// outcome, and count in the status's <c>confirmed</c>.
    /// </summary>
    public void Cancel(PendingMessage message, string requester, long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        uint confirmed = 0;
        foreach (Recipient recipient in message.Recipients)
        {
            if (recipient.State != RecipientState.Settled)
            {
                Apply(records, new RecipientSettled(message.Sequence, recipient.Node, RecipientOutcome.Canceled));
            }
            else if (recipient.Outcome == RecipientOutcome.Acknowledged)
            {
                confirmed++;
            }
        }

        MessageAccepted a = message.Accepted;
        var record = new MessageFinalized(a.Sequence, a.MessageId, a.SourceLink, a.SourceNode, FinalState.Canceled, (uint)message.Recipients.Count,
            confirmed, now, $"canceled by {requester} before every recipient confirmed");
        Apply(records, record);
        finalized.Add(record);
        if (a.Transfer is not null)
        {
            _endedTransfers.Add((a.MessageId, FinalState.Canceled));
        }
    }

    /// <summary>The descriptor of a message still pending.</summary>
    public MessageDescriptor Describe(PendingMessage message)
    {
        var recipients = new DescriptorRecipient[message.Recipients.Count];
        for (int i = 0; i < recipients.Length; i++)
        {
            Recipient recipient = message.Recipients[i];
            DeliveryOutcome outcome = recipient.State == RecipientState.Settled ? (DeliveryOutcome)recipient.Outcome : DeliveryOutcome.Pending;
            recipients[i] = new DescriptorRecipient(recipient.Node, outcome, recipient.Attempt);
        }

        MessageAccepted a = message.Accepted;
        return new MessageDescriptor(a.MessageId, a.Sequence, a.SourceLink, a.SourceNode, Link, a.Port, null, a.AcceptedAtUs, a.DeadlineUs, 0,
            "pending", recipients);
    }

    /// <summary>The descriptor of a message from its ledger entry.</summary>
    public MessageDescriptor Describe(LedgerEntry entry)
    {
        var recipients = new DescriptorRecipient[entry.Recipients.Length];
        for (int i = 0; i < recipients.Length; i++)
        {
            recipients[i] = new DescriptorRecipient(entry.Recipients[i], (DeliveryOutcome)entry.Outcomes[i], entry.Attempts[i]);
        }

        return new MessageDescriptor(entry.MessageId, entry.Sequence, entry.SourceLink, entry.SourceNode, Link, entry.Port, entry.State,
            entry.AcceptedAtUs, entry.DeadlineUs, entry.FinalAtUs, entry.Detail, recipients);
    }

    public static AuditLine ToAuditLine(LedgerEntry entry) =>
        new(entry.MessageId, entry.Sequence, entry.SourceLink, entry.SourceNode, entry.Port, entry.AcceptedAtUs, entry.State,
            (uint)entry.Recipients.Length, entry.Confirmed, entry.FinalAtUs);
}
