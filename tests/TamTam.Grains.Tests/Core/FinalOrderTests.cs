using TamTam.Grains.Links.Internal;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Core;

/// <summary>
/// The final-state ledger's part in memory stays in acceptance order however its messages end: paged after a cursor,
/// taken for the archive below an LSN, and dropped from the front.
/// </summary>
public sealed class FinalOrderTests
{
    [Fact]
    public void Messages_ending_out_of_acceptance_order_are_paged_archived_and_dropped_in_acceptance_order()
    {
        var ledger = new LinkLedger("link");
        const int Count = 200;
        for (int i = 1; i <= Count; i++)
        {
            ledger.Apply(Accepted((ulong)i), lsn: 10 * i);
        }

        // They end in a shuffled order: a late one is inserted among the earlier entries.
        var random = new Random(7);
        foreach (int i in Enumerable.Range(1, Count).OrderBy(_ => random.Next()))
        {
            ledger.Apply(new MessageFinalized((ulong)i, Id(i), "link", "sender", FinalState.Delivered, 1, 1, 1_000 + i, "delivered"), 0);
        }

        Assert.Equal(Count, ledger.FinalCount);
        List<LedgerEntry> all = ledger.FinalsAfter(0, int.MaxValue, 0);
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)(10 * i)), all.Select(e => e.AcceptedLsn));

        // A page starts past every entry accepted at its cursor.
        List<LedgerEntry> page = ledger.FinalsAfter(500, 10, 0);
        Assert.Equal(Enumerable.Range(51, 10).Select(i => (long)(10 * i)), page.Select(e => e.AcceptedLsn));
        Assert.Equal(Enumerable.Range(51, 10).Select(i => (long)(10 * i)), ledger.FinalsAfter(505, 10, 0).Select(e => e.AcceptedLsn));
        Assert.Empty(ledger.FinalsAfter(10 * Count, 10, 0));

        // Entries past retention (ended before the cutoff) are left out of pages and of the archive.
        Assert.Equal(Enumerable.Range(101, 5).Select(i => (long)(10 * i)), ledger.FinalsAfter(0, 5, 1_101).Select(e => e.AcceptedLsn));
        List<LedgerEntry> archivable = ledger.PeekArchivable(oldest: 305, cutoffUs: 1_011);
        Assert.Equal(Enumerable.Range(11, 20).Select(i => (long)(10 * i)), archivable.Select(e => e.AcceptedLsn));

        ledger.DropArchived(305);
        Assert.Equal(Count - 30, ledger.FinalCount);
        Assert.Equal(310, ledger.FinalsAfter(0, 1, 0).Single().AcceptedLsn);
    }

    private static Guid Id(int i) => new(i, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]);

    private static MessageAccepted Accepted(ulong sequence) =>
        new(sequence, Id((int)sequence), 0, 0, "link", "sender", "port", PortMode.Unicast, sequence, ["receiver"], []);
}
