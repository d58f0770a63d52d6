using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// Final statuses: pushed to their senders here, held for this link's nodes, forwarded to other links, confirmed.
internal sealed partial class LinkOrchestrator
{
    /// <summary>
    /// STATUS_ACKs of <paramref name="node"/>: the confirmation record of the held statuses (applied already), and
    /// 307 in <paramref name="results"/> for an id neither held nor confirmed within the duplicate window.
    /// </summary>
    public StatusesConfirmed? ConfirmStatuses(string node, Guid[] messageIds, ErrorCode[] results)
    {
        // A batch holds each id once but for a client that repeats itself: the set keeps the record free of repeats
        // without a quadratic scan of batches of thousands.
        List<Guid>? held = null;
        HashSet<Guid>? seen = null;
        for (int i = 0; i < messageIds.Length; i++)
        {
            Guid id = messageIds[i];
            if (Ledger.HoldsStatus(node, id))
            {
                held ??= new List<Guid>(messageIds.Length);
                seen ??= new HashSet<Guid>(messageIds.Length);
                if (seen.Add(id))
                {
                    held.Add(id);
                }
            }
            else if (!Ledger.ConfirmedRecently(node, id))
            {
                // A repeat of a confirmation made durable (before a restart too) is known for the duplicate window;
                // anything else names no status this link holds for the node.
                results[i] = ErrorCode.UnknownMessage;
            }
        }

        if (held is null)
        {
            return null;
        }

        var record = new StatusesConfirmed(node, [.. held]);
        Ledger.Apply(record, 0);
        return record;
    }

    /// <summary>Statuses another link reports for this link's nodes: those not held yet are held (records applied) and returned.</summary>
    public List<StatusReport> HoldStatuses(StatusReport[] reports, List<LinkRecord> records)
    {
        var fresh = new List<StatusReport>();
        foreach (StatusReport report in reports)
        {
            if (!Ledger.HoldsStatus(report.SenderNode, report.MessageId))
            {
                Apply(records, new StatusHeld(report.MessageId, report.SenderNode, report.State, report.Recipients, report.Confirmed, report.AtUs, report.Detail));
                fresh.Add(report);
            }
        }

        return fresh;
    }

    /// <summary>
    /// The statuses of <paramref name="finalized"/> messages of this link's own nodes, by sender, as pushed to each.
    /// <paramref name="remote"/>: some are of other links' messages, to forward.
    /// </summary>
    public List<(string Node, StatusReport[] Reports)> StatusesBySender(List<MessageFinalized> finalized, out bool remote)
    {
        var pushes = new List<(string Node, StatusReport[] Reports)>();
        remote = false;
        if (finalized.Count == 0)
        {
            return pushes;
        }

        // Most batches finalize the messages of one sender: they need no grouping.
        string? sender = null;
        int local = 0;
        bool severalSenders = false;
        foreach (MessageFinalized f in finalized)
        {
            if (f.SourceLink == Link)
            {
                local++;
                severalSenders |= sender is not null && sender != f.SourceNode;
                sender ??= f.SourceNode;
            }
        }

        if (severalSenders)
        {
            var groups = new Dictionary<string, List<StatusReport>>(StringComparer.Ordinal);
            foreach (MessageFinalized f in finalized)
            {
                if (f.SourceLink == Link)
                {
                    (groups.TryGetValue(f.SourceNode, out List<StatusReport>? group) ? group : groups[f.SourceNode] = []).Add(HeldReport(f));
                }
            }

            foreach ((string node, List<StatusReport> group) in groups)
            {
                pushes.Add((node, [.. group]));
            }
        }
        else if (sender is not null)
        {
            var reports = new StatusReport[local];
            int next = 0;
            foreach (MessageFinalized f in finalized)
            {
                if (f.SourceLink == Link)
                {
                    reports[next++] = HeldReport(f);
                }
            }

            pushes.Add((sender, reports));
        }

        remote = local < finalized.Count;
        return pushes;
    }

    /// <summary>The parted messages that ended since the last call, for their transfer grains to remove the payloads.</summary>
    public (Guid MessageId, FinalState State)[] TakeEndedTransfers()
    {
        (Guid MessageId, FinalState State)[] ended = [.. _endedTransfers];
        _endedTransfers.Clear();
        return ended;
    }

    /// <summary>Durable statuses of other links' messages not yet handed over, now marked as being forwarded.</summary>
    public List<MessageFinalized> TakeUnforwarded() =>
        Ledger.Unforwarded.Values.Where(u => u.Lsn > 0 && Forwarding.Add(u.Record.Sequence)).Select(u => u.Record).ToList();

    /// <summary>The statuses of a <see cref="RecipientsSettled"/> batch are durable now (or never will be): they may be forwarded.</summary>
    public void ReleaseForwarding(List<MessageFinalized> finalized)
    {
        foreach (MessageFinalized final in finalized)
        {
            if (final.SourceLink != Link)
            {
                Forwarding.Remove(final.Sequence);
            }
        }
    }

    public static StatusReport ToReport(MessageFinalized f) =>
        new(f.MessageId, f.SourceNode, f.State, f.Recipients, f.Confirmed, f.AtUs, f.Detail);

    /// <summary>The report of a status held for a node of this link: the ledger's own, unless it is gone already.</summary>
    private StatusReport HeldReport(MessageFinalized f) =>
        Ledger.TryGetHeldStatus(f.SourceNode, f.MessageId, out StatusReport? held) ? held : ToReport(f);
}
