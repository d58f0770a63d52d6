using System.Runtime.InteropServices;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// The final-state ledger's part in memory: the ends of messages whose acceptance is still in the log. Compaction moves
// those it drops the acceptance of to the audit log (AuditArchive), in acceptance order, so the ledger as a whole
// (archive, then these) is in acceptance order and an audit cursor survives the move.
internal sealed partial class LinkLedger
{
    private readonly Dictionary<ulong, LedgerEntry> _finals = [];

    // The same entries sorted by acceptance (LedgerEntry.ByAcceptance). Messages end about in the order they were
    // accepted, so an entry is appended or inserted near the end, and compaction takes a prefix.
    private readonly List<LedgerEntry> _finalOrder = [];

    /// <summary>Final messages whose entries are in memory (not yet archived).</summary>
    public int FinalCount => _finals.Count;

    /// <summary>The pending message <paramref name="messageId"/> that <paramref name="may"/> allows, if any.</summary>
    public PendingMessage? FindPending(Guid messageId, Func<string, string, bool> may)
    {
        foreach (PendingMessage message in _messages.Values)
        {
            if (message.MessageId == messageId && may(message.Accepted.SourceLink, message.Accepted.SourceNode))
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>The final entry in memory of message <paramref name="messageId"/> that <paramref name="may"/> allows, if any.</summary>
    public LedgerEntry? FindFinal(Guid messageId, Func<string, string, bool> may)
    {
        LedgerEntry? found = null;
        foreach (LedgerEntry entry in _finals.Values)
        {
            // The newest wins when a sender reused an id outside the duplicate window.
            if (entry.MessageId == messageId && may(entry.SourceLink, entry.SourceNode) && (found is null || entry.Sequence > found.Sequence))
            {
                found = entry;
            }
        }

        return found;
    }

    /// <summary>
    /// The entries whose acceptance is below <paramref name="oldest"/> (a compaction drops those records), in acceptance
    /// order, for the archive, but those ended before <paramref name="cutoffUs"/>: past retention, they are not archived.
    /// </summary>
    public List<LedgerEntry> PeekArchivable(long oldest, long cutoffUs)
    {
        var taken = new List<LedgerEntry>();
        foreach (LedgerEntry entry in _finalOrder)
        {
            if (entry.AcceptedLsn >= oldest)
            {
                break;
            }

            if (entry.FinalAtUs >= cutoffUs)
            {
                taken.Add(entry);
            }
        }

        return taken;
    }

    /// <summary>Forgets the entries accepted below <paramref name="oldest"/>: the archive holds them now (or retention ended them).</summary>
    public void DropArchived(long oldest)
    {
        int dropped = 0;
        while (dropped < _finalOrder.Count && _finalOrder[dropped].AcceptedLsn < oldest)
        {
            _finals.Remove(_finalOrder[dropped].Sequence);
            dropped++;
        }

        _finalOrder.RemoveRange(0, dropped);
    }

    /// <summary>At most <paramref name="limit"/> entries in memory accepted after <paramref name="afterLsn"/>, in ledger order.</summary>
    public List<LedgerEntry> FinalsAfter(long afterLsn, int limit, long cutoffUs)
    {
        var page = new List<LedgerEntry>(Math.Min(limit, _finals.Count));
        if (_finals.Count == 0)
        {
            return page;
        }

        if (afterLsn >= _finalOrder[^1].AcceptedLsn)
        {
            return page;
        }

        // From the first entry past every entry accepted at afterLsn.
        var lower = new LedgerEntry(ulong.MaxValue, Guid.Empty, afterLsn, 0, 0, "", "", "", FinalState.Delivered, 0, 0, "", [], [], []);
        int first = _finalOrder.BinarySearch(lower, LedgerEntry.ByAcceptance);
        for (int i = first < 0 ? ~first : first + 1; i < _finalOrder.Count; i++)
        {
            LedgerEntry entry = _finalOrder[i];
            if (entry.FinalAtUs >= cutoffUs)
            {
                page.Add(entry);
                if (page.Count == limit)
                {
                    break;
                }
            }
        }

        return page;
    }

    private void RecordFinal(PendingMessage message, MessageFinalized final)
    {
        LedgerEntry entry = LedgerEntry.Of(message, final);
        ref LedgerEntry? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_finals, entry.Sequence, out bool exists);
        if (exists && _finalOrder.BinarySearch(slot!, LedgerEntry.ByAcceptance) is >= 0 and int at)
        {
            _finalOrder.RemoveAt(at);
        }

        slot = entry;
        if (_finalOrder.Count == 0 || LedgerEntry.ByAcceptance.Compare(_finalOrder[^1], entry) < 0)
        {
            _finalOrder.Add(entry);
        }
        else
        {
            int position = _finalOrder.BinarySearch(entry, LedgerEntry.ByAcceptance);
            _finalOrder.Insert(position < 0 ? ~position : position, entry);
        }
    }
}
