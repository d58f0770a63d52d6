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

        OperationResult? refusal = link.Core.Join(new NodeAttachment("worker", Guid.NewGuid(), null!), out _, out _);

        Assert.Equal(ErrorCode.NameTaken, refusal?.Code);
    }
}
