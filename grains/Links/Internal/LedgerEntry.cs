using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// One message's line in the link's final-state ledger: what it was, where it went, how each recipient's delivery ended
/// and its final state. Never its payload. Held in memory while the message's acceptance is still in the link's log
/// (replay rebuilds it from there); archived to the link's audit log by the compaction that drops that acceptance.
/// Its acceptance LSN (in the link's log) is the ledger's order, and tells compaction which entries to archive: those
/// whose acceptance it drops.
/// </summary>
internal sealed record LedgerEntry(
    ulong Sequence,
    Guid MessageId,
    long AcceptedLsn,
    long AcceptedAtUs,
    long DeadlineUs,
    string SourceLink,
    string SourceNode,
    string Port,
    FinalState State,
    uint Confirmed,
    long FinalAtUs,
    string Detail,
    string[] Recipients,
    RecipientOutcome[] Outcomes,
    ushort[] Attempts)
{
    /// <summary>Orders entries as the ledger keeps them: by acceptance LSN, then sequence.</summary>
    public static IComparer<LedgerEntry> ByAcceptance { get; } = Comparer<LedgerEntry>.Create(static (a, b) =>
    {
        int byLsn = a.AcceptedLsn.CompareTo(b.AcceptedLsn);
        return byLsn != 0 ? byLsn : a.Sequence.CompareTo(b.Sequence);
    });

    /// <summary>The entry of <paramref name="message"/>, ended by <paramref name="final"/>.</summary>
    public static LedgerEntry Of(PendingMessage message, MessageFinalized final)
    {
        MessageAccepted a = message.Accepted;
        int count = message.Recipients.Count;

        // The acceptance's recipients, unless one was reassigned: then the names of the entry's own.
        string[] recipients = a.Recipients;
        var outcomes = new RecipientOutcome[count];
        var attempts = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            Recipient recipient = message.Recipients[i];
            if (recipients.Length != count || recipients[i] != recipient.Node)
            {
                recipients = NodesOf(message);
            }

            outcomes[i] = recipient.Outcome;
            attempts[i] = recipient.Attempt;
        }

        return new LedgerEntry(a.Sequence, a.MessageId, message.Lsn, a.AcceptedAtUs, a.DeadlineUs, a.SourceLink, a.SourceNode, a.Port,
            final.State, final.Confirmed, final.AtUs, final.Detail, recipients, outcomes, attempts);
    }

    private static string[] NodesOf(PendingMessage message)
    {
        var nodes = new string[message.Recipients.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            nodes[i] = message.Recipients[i].Node;
        }

        return nodes;
    }
}
