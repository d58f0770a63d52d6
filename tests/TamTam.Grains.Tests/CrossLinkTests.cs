using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>A node of one link sends to another link's port; the status comes home through its own link.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class CrossLinkTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Status_of_a_message_to_another_link_reaches_the_sender_through_its_own_link()
    {
        string home = cluster.NewLink("home");
        string away = cluster.NewLink("away");
        TestNode sender = cluster.Node(home, "sender");
        TestNode receiver = cluster.Node(away, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("inbox", PortMode.Unicast);
        var id = Guid.NewGuid();

        SendOutcome outcome = await sender.SendAsync("inbox", [5], id: id, toLink: away);
        Assert.True(outcome.Accepted);

        Delivery delivery = await receiver.ReceiveAsync();
        Assert.Equal(id, delivery.MessageId);
        Assert.Equal(home, delivery.SourceLink);
        Assert.Equal("sender", delivery.SourceNode);
        Assert.Equal(away, delivery.Link);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(delivery));

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(id, status.MessageId);
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(1U, status.Confirmed);

        // The home link holds it until confirmed, across sessions, like its own messages' statuses.
        await sender.DetachAsync();
        await sender.JoinAsync();
        Assert.Equal(id, (await sender.NextStatusAsync()).MessageId);
        await sender.ConfirmAsync(id);

        // The same id again from the same node of the same link is still a duplicate at the destination after the
        // status was handed over, within its duplicate window; a new id is a new message.
        SendOutcome repeated = await sender.SendAsync("inbox", id: id, toLink: away);
        Assert.True(repeated.Duplicate);
        Assert.Equal(outcome.Sequence, repeated.Sequence);
        SendOutcome next = await sender.SendAsync("inbox", toLink: away);
        Assert.True(next.Accepted);
        Assert.Equal(outcome.Sequence + 1, next.Sequence);
    }

    [Fact]
    public async Task Same_message_id_from_nodes_of_different_links_are_different_messages()
    {
        string away = cluster.NewLink("shared-dest");
        TestNode receiver = cluster.Node(away, "receiver");
        await receiver.JoinAsync();
        await receiver.BindAsync("inbox", PortMode.Unicast);
        TestNode one = cluster.Node(cluster.NewLink("src"), "n");
        TestNode two = cluster.Node(cluster.NewLink("src"), "n");
        await one.JoinAsync();
        await two.JoinAsync();
        var id = Guid.NewGuid();

        SendOutcome a = await one.SendAsync("inbox", id: id, toLink: away);
        SendOutcome b = await two.SendAsync("inbox", id: id, toLink: away);

        Assert.False(a.Duplicate);
        Assert.False(b.Duplicate);
        Assert.NotEqual(a.Sequence, b.Sequence);
    }
}
