using TamTam.Grains.Links;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Core;

/// <summary>Routing, refusals at SEND, STATUS_ACK and names on the core alone (docs/architecture.md, "Lifecycle of a message").</summary>
public sealed class LinkOrchestratorRoutingTests
{
    [Fact]
    public void Send_is_refused_300_without_a_binder_302_when_an_inbox_is_full_and_303_when_too_large()
    {
        var roomy = new CoreLink(new OrchestratorOptions { MaxInboxMessages = 1 });
        roomy.Join("sender");
        roomy.Join("worker");
        Assert.Equal(ErrorCode.NoRoute, roomy.Send("sender", "jobs").Code);
        roomy.Bind("worker", "jobs");
        Assert.True(roomy.Send("sender", "jobs").Accepted);
        Assert.Equal(ErrorCode.QuotaExceeded, roomy.Send("sender", "jobs").Code);
        var small = new CoreLink(new OrchestratorOptions { MaxMessageBytes = 2 });
        small.Join("sender");
        small.Join("worker");
        small.Bind("worker", "jobs");
        Assert.Equal(ErrorCode.MessageTooLarge, small.Send("sender", "jobs").Code); // CoreLink sends 3 bytes
        Assert.Single(roomy.Core.Ledger.Messages); // nothing of a refused SEND is kept
    }

    [Fact]
    public void Send_beyond_the_inbox_message_quota_is_refused_and_the_rest_of_the_batch_is_accepted()
    {
        const int quota = 5;
        var link = new CoreLink(new OrchestratorOptions { MaxInboxMessages = quota });
        link.Join("sender");
        link.Join("receiver");
        link.Bind("receiver", "jobs");
        link.Core.Detach(link.Core.Ledger.Node("receiver")); // nothing is acknowledged: the inbox only fills

        SendOutcome[] outcomes = link.SendBatch("sender", [.. Enumerable.Range(0, quota + 1).Select(_ => new SendCommand(Guid.NewGuid(), "jobs", false, 0, [1]))]);

        Assert.All(outcomes[..quota], o => Assert.True(o.Accepted));
        Assert.Equal(Enumerable.Range(1, quota).Select(i => (ulong)i), outcomes[..quota].Select(o => o.Sequence));
        Assert.Equal(ErrorCode.QuotaExceeded, outcomes[quota].Code);
        Assert.Equal(ErrorCode.QuotaExceeded, link.Send("sender", "jobs").Code);
        Assert.Equal(quota, Assert.Single(link.Core.NodeSummaries(), n => n.Node == "receiver").Pending);
    }

    [Fact]
    public void Group_send_that_would_overflow_one_members_inbox_is_refused_whole()
    {
        var link = new CoreLink(new OrchestratorOptions { MaxInboxBytes = 64 * 1024 });
        link.Join("sender");
        link.Join("full");
        NodeState other = link.Join("other");
        link.Bind("full", "g", PortMode.Group);
        link.Bind("other", "g", PortMode.Group);
        link.Bind("full", "only-full");
        link.Core.Detach(link.Core.Ledger.Node("full"));

        // 6 × 10 KiB wait in "full"'s 64 KiB inbox; one more 10 KiB payload does not fit.
        byte[] big = new byte[10 * 1024];
        for (int i = 0; i < 6; i++)
        {
            Assert.True(link.Send("sender", "only-full", payload: big).Accepted);
        }

        Assert.Equal(ErrorCode.QuotaExceeded, link.Send("sender", "only-full", payload: big).Code);
        Assert.Equal(ErrorCode.QuotaExceeded, link.Send("sender", "g", payload: big).Code);

        // Nothing was half accepted: the other member's first delivery is the next message that fits.
        SendOutcome marker = link.Send("sender", "g", payload: [1]);
        Assert.Equal(7UL, marker.Sequence);
        Delivery first = Assert.Single(link.Deliver(other));
        Assert.Equal(marker.Sequence, first.Sequence);
        Assert.Equal(1UL, first.PortSequence);
    }

    [Fact]
    public void Payload_above_the_message_limit_is_refused_too_large_and_one_at_the_limit_accepted()
    {
        const int limit = 16 * 1024;
        var link = new CoreLink(new OrchestratorOptions { MaxMessageBytes = limit });
        link.Join("sender");
        NodeState receiver = link.Join("receiver");
        link.Bind("receiver", "jobs");

        SendOutcome[] outcomes = link.SendBatch("sender",
        [
            new SendCommand(Guid.NewGuid(), "jobs", false, 0, new byte[limit + 1]),
            new SendCommand(Guid.NewGuid(), "jobs", false, 0, new byte[limit]),
        ]);

        Assert.Equal(ErrorCode.MessageTooLarge, outcomes[0].Code);
        Assert.Equal(1UL, outcomes[1].Sequence);
        Assert.Equal(limit, Assert.Single(link.Deliver(receiver)).Payload.Length);
    }

    [Fact]
    public void Group_port_reaches_every_binder_and_broadcast_every_member_but_the_sender()
    {
        var link = new CoreLink();
        link.Join("sender");
        NodeState a = link.Join("a");
        NodeState b = link.Join("b");
        link.Bind("a", "news", PortMode.Group);
        link.Bind("b", "news", PortMode.Group);
        link.Bind("a", "all", PortMode.Broadcast);

        link.Send("sender", "news");
        Assert.Single(a.Inbox);
        Assert.Single(b.Inbox);

        link.Send("sender", "all");
        Assert.Equal(2, a.Inbox.Count);
        Assert.Equal(2, b.Inbox.Count);
        Assert.Empty(link.Core.Ledger.Node("sender").Inbox);
    }

    [Fact]
    public void Status_ack_confirms_a_held_status_and_answers_307_for_an_id_never_held()
    {
        var link = new CoreLink();
        link.Join("sender");
        NodeState worker = link.Join("worker");
        link.Bind("worker", "jobs");
        SendOutcome sent = link.Send("sender", "jobs", id: Guid.NewGuid());
        Delivery delivery = Assert.Single(link.Deliver(worker));
        link.Answer("worker", CoreLink.Ack(delivery));
        Guid unknown = Guid.NewGuid();

        var results = new ErrorCode[2];
        StatusesConfirmed? record = link.Core.ConfirmStatuses("sender", [delivery.MessageId, unknown], results);

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMessage], results);
        Assert.Equal([delivery.MessageId], record!.MessageIds);

        // Confirmed, it is a repeat within the duplicate window: known, nothing to record.
        var again = new ErrorCode[1];
        Assert.Null(link.Core.ConfirmStatuses("sender", [delivery.MessageId], again));
        Assert.Equal([ErrorCode.None], again);
        Assert.True(link.Core.Ledger.TryGetAccepted(link.Core.Link, "sender", delivery.MessageId, out ulong sequence));
        Assert.Equal(sent.Sequence, sequence);
    }

    [Fact]
    public void Name_connected_in_another_session_is_refused_205()
    {
        var link = new CoreLink();
        link.Join("worker");

        OperationResult? refusal = link.Core.Join(new NodeAttachment("worker", Guid.NewGuid(), null!), out _, out _, out _);

        Assert.Equal(ErrorCode.NameTaken, refusal?.Code);
    }
}
