using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>Port modes and subtrees (docs/architecture.md, "Routing"): who receives a message.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class RoutingTests(SingleSiloCluster cluster)
{
    private async Task<TestNode[]> JoinAsync(string link, params string[] names)
    {
        TestNode[] nodes = [.. names.Select(n => cluster.Node(link, n))];
        foreach (TestNode node in nodes)
        {
            await node.JoinAsync();
        }

        return nodes;
    }

    [Fact]
    public async Task Group_port_delivers_to_every_bound_node_and_the_status_counts_each_confirmation()
    {
        string link = cluster.NewLink("group");
        TestNode[] nodes = await JoinAsync(link, "sender", "a", "b", "c");
        TestNode sender = nodes[0];
        TestNode[] members = nodes[1..];
        foreach (TestNode member in members)
        {
            await member.BindAsync("news", PortMode.Group);
        }

        SendOutcome outcome = await sender.SendAsync("news");

        foreach (TestNode member in members)
        {
            Delivery delivery = await member.ReceiveAsync();
            Assert.Equal(outcome.Sequence, delivery.Sequence);
            Assert.Equal(ErrorCode.None, await member.AckAsync(delivery));
        }

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(3U, status.Recipients);
        Assert.Equal(3U, status.Confirmed);
    }

    [Fact]
    public async Task Group_message_rejected_by_one_member_ends_partial()
    {
        string link = cluster.NewLink("partial");
        TestNode[] nodes = await JoinAsync(link, "sender", "a", "b", "c");
        foreach (TestNode member in nodes[1..])
        {
            await member.BindAsync("news", PortMode.Group);
        }

        await nodes[0].SendAsync("news");
        Assert.Equal(ErrorCode.None, await nodes[1].AckAsync(await nodes[1].ReceiveAsync()));
        Assert.Equal(ErrorCode.None, await nodes[2].NackAsync(await nodes[2].ReceiveAsync(), requeue: false));
        Assert.Equal(ErrorCode.None, await nodes[3].AckAsync(await nodes[3].ReceiveAsync()));

        StatusReport status = await nodes[0].NextStatusAsync();
        Assert.Equal(FinalState.Partial, status.State);
        Assert.Equal(3U, status.Recipients);
        Assert.Equal(2U, status.Confirmed);
    }

    [Fact]
    public async Task Broadcast_reaches_every_other_member_including_unbound_ones_but_not_its_sender()
    {
        string link = cluster.NewLink("broadcast");
        TestNode[] nodes = await JoinAsync(link, "sender", "bound", "quiet-1", "quiet-2");
        await nodes[1].BindAsync("alerts", PortMode.Broadcast);
        await nodes[0].BindAsync("alerts", PortMode.Broadcast);

        SendOutcome outcome = await nodes[0].SendAsync("alerts");

        // Every member but the sender (bound or not) gets it: the sender has it already, and need not acknowledge its own message.
        foreach (TestNode node in nodes[1..])
        {
            Delivery delivery = await node.ReceiveAsync();
            Assert.Equal(outcome.Sequence, delivery.Sequence);
            Assert.Equal("alerts", delivery.Port);
            Assert.Equal(ErrorCode.None, await node.AckAsync(delivery));
        }

        StatusReport status = await nodes[0].NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(3U, status.Recipients);
        Assert.Equal(3U, status.Confirmed);
        Assert.False(nodes[0].TryReceive(out _));

        // A member that is the only one left has nobody to broadcast to, though the port is still bound (by itself).
        foreach (TestNode node in nodes[1..])
        {
            await node.LeaveAsync();
        }

        SendOutcome alone = await nodes[0].SendAsync("alerts");
        Assert.Equal(ErrorCode.NoRoute, alone.Code);
        Assert.Contains("no member but the sender", alone.Detail, StringComparison.Ordinal);

        // A parted SEND's early check says the same before any part is uploaded; from another link, the member is a recipient.
        Assert.Equal(ErrorCode.NoRoute, (await nodes[0].Grain.CheckRouteAsync(nodes[0].Source, "alerts", subtree: false)).Code);
        Assert.True((await nodes[0].Grain.CheckRouteAsync(new MessageSource("elsewhere", "sender"), "alerts", subtree: false)).Accepted);
    }

    [Fact]
    public async Task Subtree_binding_receives_ports_below_it_on_slash_boundaries_only()
    {
        string link = cluster.NewLink("subtree-bind");
        TestNode[] nodes = await JoinAsync(link, "sender", "orders-desk");
        await nodes[1].BindAsync("orders", PortMode.Unicast, subtree: true);

        SendOutcome below = await nodes[0].SendAsync("orders/eu/new");
        SendOutcome exact = await nodes[0].SendAsync("orders");
        SendOutcome sibling = await nodes[0].SendAsync("ordersx");

        Assert.True(below.Accepted);
        Assert.True(exact.Accepted);
        Assert.Equal(ErrorCode.NoRoute, sibling.Code);
        Delivery first = await nodes[1].ReceiveAsync();
        Assert.Equal("orders/eu/new", first.Port);
        Assert.Equal(below.Sequence, first.Sequence);
        Assert.Equal("orders", (await nodes[1].ReceiveAsync()).Port);
    }

    [Fact]
    public async Task Subtree_send_reaches_every_binding_below_the_addressed_port()
    {
        string link = cluster.NewLink("subtree-send");
        TestNode[] nodes = await JoinAsync(link, "sender", "eu", "us", "elsewhere");
        await nodes[1].BindAsync("orders/eu", PortMode.Group);
        await nodes[2].BindAsync("orders/us", PortMode.Group);
        await nodes[3].BindAsync("ordersx/eu", PortMode.Group);

        Assert.Equal(ErrorCode.NoRoute, (await nodes[0].SendAsync("orders")).Code);
        SendOutcome outcome = await nodes[0].SendAsync("orders", subtree: true);

        Assert.True(outcome.Accepted);
        foreach (TestNode node in nodes[1..3])
        {
            Delivery delivery = await node.ReceiveAsync();
            Assert.Equal(outcome.Sequence, delivery.Sequence);
            Assert.Equal("orders", delivery.Port);
            Assert.Equal(ErrorCode.None, await node.AckAsync(delivery));
        }

        StatusReport status = await nodes[0].NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(2U, status.Recipients);
    }

    [Fact]
    public async Task Subtree_send_gives_each_unicast_port_below_one_binder_and_after_a_restart_moves_a_leaving_binders_delivery_within_the_subtree()
    {
        string link = cluster.NewLink("subtree-unicast");
        TestNode[] nodes = await JoinAsync(link, "sender", "eu1", "eu2", "us");
        (TestNode sender, TestNode eu1, TestNode eu2, TestNode us) = (nodes[0], nodes[1], nodes[2], nodes[3]);
        await eu1.BindAsync("orders/eu", PortMode.Unicast);
        await eu2.BindAsync("orders/eu", PortMode.Unicast);
        await us.BindAsync("orders/us", PortMode.Unicast);
        await eu2.DetachAsync(); // offline: orders/eu's binder is eu1

        SendOutcome outcome = await sender.SendAsync("orders", subtree: true);

        Assert.True(outcome.Accepted);
        Assert.Equal(outcome.Sequence, (await eu1.ReceiveAsync()).Sequence);
        Delivery toUs = await us.ReceiveAsync();
        Assert.Equal(ErrorCode.None, await us.AckAsync(toUs));

        // The next activation knows from the log that the message went to a subtree: when eu1 leaves, its delivery
        // moves to eu2, which binds a port below the addressed one and not the addressed port itself.
        foreach (TestNode node in nodes)
        {
            await node.DetachAsync();
        }

        await cluster.DeactivateAsync(link);
        await eu2.JoinAsync();
        await eu1.JoinAsync();
        await eu1.LeaveAsync();
        Delivery moved = await eu2.ReceiveAsync();
        Assert.Equal(outcome.Sequence, moved.Sequence);
        Assert.Equal(ErrorCode.None, await eu2.AckAsync(moved));

        await sender.JoinAsync();
        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(2U, status.Recipients);
    }

    [Fact]
    public async Task Unicast_port_gives_each_message_to_one_binder_in_fair_rotation()
    {
        string link = cluster.NewLink("rotation");
        TestNode[] nodes = await JoinAsync(link, "sender", "w1", "w2", "w3");
        TestNode[] workers = nodes[1..];
        foreach (TestNode worker in workers)
        {
            await worker.BindAsync("work", PortMode.Unicast);
        }

        SendOutcome[] outcomes = await nodes[0].SendBatchAsync(
            [.. Enumerable.Range(0, 30).Select(_ => new SendCommand(Guid.NewGuid(), "work", false, 0, [1]))]);
        Assert.All(outcomes, o => Assert.True(o.Accepted));

        var seen = new List<ulong>();
        foreach (TestNode worker in workers)
        {
            for (int i = 0; i < 10; i++)
            {
                Delivery delivery = await worker.ReceiveAsync();
                seen.Add(delivery.Sequence);
                Assert.Equal(ErrorCode.None, await worker.AckAsync(delivery));
            }
        }

        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(FinalState.Delivered, (await nodes[0].NextStatusAsync()).State);
        }

        // Each message went to exactly one worker, and each worker got a third.
        Assert.Equal(outcomes.Select(o => o.Sequence).Order(), seen.Order());
        Assert.All(workers, w => Assert.False(w.TryReceive(out _)));
    }

    [Fact]
    public async Task Binding_a_port_in_another_mode_is_refused_port_mode_conflict()
    {
        string link = cluster.NewLink("mode-conflict");
        TestNode[] nodes = await JoinAsync(link, "a", "b");
        await nodes[0].BindAsync("p", PortMode.Group);

        OperationResult result = await nodes[1].Grain.BindAsync("b", nodes[1].SessionId, new PortBinding("p", PortMode.Unicast, false));

        Assert.Equal(ErrorCode.PortModeConflict, result.Code);
    }
}
