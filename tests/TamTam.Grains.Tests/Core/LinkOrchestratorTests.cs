using TamTam.Grains.Links;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Core;

/// <summary>
/// The orchestration rules of docs/architecture.md ("Retries", "Lifecycle of a message") on the core alone, with a
/// fake clock: timeouts, retries and deadlines pass without waiting, and each step is exact.
/// </summary>
public sealed class LinkOrchestratorTests
{
    private static readonly OrchestratorOptions Options = new()
    {
        AckTimeout = TimeSpan.FromSeconds(30),
        RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)],
        MaxAttempts = 3,
    };

    [Fact]
    public void Unacknowledged_delivery_is_retried_on_the_schedule_then_ends_undeliverable()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        NodeState worker = link.Join("worker");
        link.Bind("worker", "jobs");
        SendOutcome sent = link.Send("sender", "jobs");

        Delivery first = Assert.Single(link.Deliver(worker));
        Assert.Equal((ushort)1, first.Attempt);
        Assert.False(first.Redelivery);

        link.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(link.Tick().Records);
        link.Advance(TimeSpan.FromSeconds(1)); // the ack timeout: attempt 2 waits RetryDelays[0]
        Assert.Empty(link.Tick().Records);
        Assert.Empty(link.Deliver(worker));
        link.Advance(TimeSpan.FromSeconds(1));
        Delivery second = Assert.Single(link.Deliver(worker));
        Assert.Equal((ushort)2, second.Attempt);
        Assert.True(second.Redelivery);
        Assert.Equal(sent.Sequence, second.Sequence);

        link.Advance(TimeSpan.FromSeconds(30));
        link.Tick();
        link.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(link.Deliver(worker)); // attempt 3 waits RetryDelays[1], 5 s
        link.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((ushort)3, Assert.Single(link.Deliver(worker)).Attempt);

        link.Advance(TimeSpan.FromSeconds(30));
        MessageFinalized final = Assert.Single(link.Tick().Finalized);
        Assert.Equal(FinalState.Undeliverable, final.State);
        (string node, StatusReport[] reports) = Assert.Single(link.Core.StatusesBySender([final], out bool remote));
        Assert.Equal("sender", node);
        Assert.Equal(FinalState.Undeliverable, Assert.Single(reports).State);
        Assert.False(remote);
    }

    [Fact]
    public void Ack_timeout_starts_when_the_push_returns_not_when_the_delivery_is_queued()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        NodeState worker = link.Join("worker");
        link.Bind("worker", "jobs");
        link.Send("sender", "jobs");

        (Delivery[] deliveries, List<Recipient> sent) = link.Core.TakeDue(worker, link.Now, out _)!.Value;
        link.Advance(TimeSpan.FromMinutes(5)); // the push waits behind earlier pushes to the node
        Assert.Empty(link.Tick().Records);
        link.Core.Pushed(deliveries, sent, link.Now);
        link.Advance(TimeSpan.FromSeconds(29));
        link.Tick();
        Assert.Equal(RecipientState.InFlight, Assert.Single(sent).State);
        link.Advance(TimeSpan.FromSeconds(1));
        link.Tick();
        Assert.Equal(RecipientState.Waiting, Assert.Single(sent).State);
    }

    [Fact]
    public void Acknowledged_delivery_ends_delivered_and_a_requeue_counts_as_a_failed_attempt()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        NodeState worker = link.Join("worker");
        link.Bind("worker", "jobs");
        link.Send("sender", "jobs");
        link.Send("sender", "jobs");
        Delivery[] both = link.Deliver(worker);
        Assert.Equal(2, both.Length);

        (ErrorCode[] results, List<MessageFinalized> finalized) = link.Answer("worker", CoreLink.Ack(both[0]), CoreLink.Nack(both[1], requeue: true));
        Assert.Equal([ErrorCode.None, ErrorCode.None], results);
        Assert.Equal(FinalState.Delivered, Assert.Single(finalized).State);

        // The requeued one comes back after the first retry delay, as attempt 2.
        Assert.Empty(link.Deliver(worker));
        link.Advance(TimeSpan.FromSeconds(1));
        Delivery again = Assert.Single(link.Deliver(worker));
        Assert.Equal(both[1].Sequence, again.Sequence);
        Assert.Equal((ushort)2, again.Attempt);

        // A delivery answered already is unknown.
        Assert.Equal([ErrorCode.UnknownDelivery], link.Answer("worker", CoreLink.Ack(both[0])).Results);
    }

    [Fact]
    public void Message_past_its_deadline_expires_and_one_without_a_deadline_does_not()
    {
        var link = new CoreLink(Options with { DefaultTtl = TimeSpan.Zero });
        link.Join("sender");
        link.Join("worker");
        link.Core.Detach(link.Core.Ledger.Node("worker"));
        link.Bind("worker", "jobs");
        link.Send("sender", "jobs", ttlMs: 1_000);
        link.Send("sender", "jobs", ttlMs: 0);

        link.Advance(TimeSpan.FromSeconds(1));
        MessageFinalized expired = Assert.Single(link.Tick().Finalized);
        Assert.Equal(FinalState.Expired, expired.State);

        link.Advance(TimeSpan.FromDays(365));
        Assert.Empty(link.Tick().Records);
        Assert.Single(link.Core.Ledger.Node("worker").Inbox);
    }

    [Fact]
    public void Detached_node_gets_its_in_flight_deliveries_again_as_redeliveries_when_it_returns()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        NodeState worker = link.Join("worker");
        link.Bind("worker", "jobs");
        link.Send("sender", "jobs");
        Assert.False(Assert.Single(link.Deliver(worker)).Redelivery);

        link.Core.Detach(worker);
        Assert.Empty(link.Deliver(worker)); // offline: nothing goes out
        worker = link.Join("worker");
        Delivery again = Assert.Single(link.Deliver(worker));
        Assert.True(again.Redelivery);
        Assert.Equal((ushort)2, again.Attempt);
    }

    [Fact]
    public void Unicast_messages_rotate_over_binders_and_a_leaving_binders_delivery_moves_to_another()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        NodeState a = link.Join("a");
        NodeState b = link.Join("b");
        link.Bind("a", "jobs");
        link.Bind("b", "jobs");
        link.Send("sender", "jobs");
        link.Send("sender", "jobs");
        Assert.Single(a.Inbox);
        Assert.Single(b.Inbox);

        var records = new List<LinkRecord>();
        HashSet<string> reassigned = link.Core.Leave(a, link.Now, records, []);

        Assert.Equal(["b"], reassigned);
        Assert.Contains(records, r => r is RecipientReassigned { FromNode: "a", ToNode: "b" });
        Assert.Equal(2, b.Inbox.Count);
        Assert.Empty(a.Inbox);
    }

    [Fact]
    public void Send_repeating_an_id_is_a_duplicate_with_the_original_sequence()
    {
        var link = new CoreLink(Options);
        link.Join("sender");
        link.Join("worker");
        link.Bind("worker", "jobs");
        Guid id = Guid.NewGuid();

        SendOutcome original = link.Send("sender", "jobs", id: id);
        SendOutcome again = link.Send("sender", "jobs", id: id);

        Assert.False(original.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(original.Sequence, again.Sequence);
        Assert.Single(link.Core.Ledger.Messages);
    }
}
