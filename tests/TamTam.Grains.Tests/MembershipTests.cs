using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>JOIN, LEAVE and lost sessions (sections 5.7, 5.8 and 6.3 of docs/protocol.md).</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class MembershipTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Leave_of_the_unicast_recipient_hands_its_delivery_to_another_binder()
    {
        string link = cluster.NewLink("reassign");
        TestNode sender = cluster.Node(link, "sender");
        TestNode a = cluster.Node(link, "a");
        TestNode b = cluster.Node(link, "b");
        await sender.JoinAsync();
        await a.JoinAsync();
        await b.JoinAsync();
        await a.BindAsync("work", PortMode.Unicast);
        await b.BindAsync("work", PortMode.Unicast);

        // Rotation starts at the first binder by name: "a".
        await sender.SendAsync("work");
        Delivery atA = await a.ReceiveAsync();
        await a.LeaveAsync();

        Delivery atB = await b.ReceiveAsync();
        Assert.Equal(atA.MessageId, atB.MessageId);
        Assert.Equal(atA.Sequence, atB.Sequence);
        Assert.True(atB.Redelivery);
        Assert.Equal(atA.Attempt + 1, atB.Attempt);
        Assert.Equal(ErrorCode.None, await b.AckAsync(atB));

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(1U, status.Recipients);
        Assert.Equal(1U, status.Confirmed);
    }

    [Fact]
    public async Task Leave_of_the_unicast_recipient_of_a_message_that_also_reached_a_group_moves_only_the_unicast_delivery()
    {
        string link = cluster.NewLink("reassign-mixed");
        TestNode[] nodes = [.. new[] { "sender", "audit", "eu1", "eu2" }.Select(n => cluster.Node(link, n))];
        foreach (TestNode node in nodes)
        {
            await node.JoinAsync();
        }

        (TestNode sender, TestNode audit, TestNode eu1, TestNode eu2) = (nodes[0], nodes[1], nodes[2], nodes[3]);
        await audit.BindAsync("orders", PortMode.Group, subtree: true);
        await eu1.BindAsync("orders/eu", PortMode.Unicast);
        await eu2.BindAsync("orders/eu", PortMode.Unicast);

        // The group binding covers orders/eu: audit gets the message through it, and one binder of orders/eu ("eu1", the
        // first by name) as the port's unicast choice.
        SendOutcome outcome = await sender.SendAsync("orders/eu");
        Assert.True(outcome.Accepted);
        Assert.Equal(outcome.Sequence, (await audit.ReceiveAsync()).Sequence);
        Delivery atEu1 = await eu1.ReceiveAsync();
        Assert.Equal(outcome.Sequence, atEu1.Sequence);
        Assert.False(eu2.TryReceive(out _));

        await eu1.LeaveAsync();
        Delivery moved = await eu2.ReceiveAsync();
        Assert.Equal((atEu1.MessageId, atEu1.Sequence), (moved.MessageId, moved.Sequence));
        Assert.True(moved.Redelivery);

        // The move is in the log: the next activation still has the delivery at eu2, not at eu1.
        foreach (TestNode node in new[] { sender, audit, eu2 })
        {
            await node.DetachAsync();
        }

        await cluster.DeactivateAsync(link);
        await eu2.JoinAsync();
        Delivery replayed = await eu2.ReceiveAsync();
        Assert.Equal(outcome.Sequence, replayed.Sequence);
        Assert.Equal(ErrorCode.None, await eu2.AckAsync(replayed));

        // The group binder's delivery does not move: when audit leaves, its part ends NO_ROUTE.
        await audit.JoinAsync();
        await audit.ReceiveAsync();
        await audit.LeaveAsync();

        await sender.JoinAsync();
        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal((FinalState.Partial, 2U, 1U), (status.State, status.Recipients, status.Confirmed));
    }

    [Fact]
    public async Task Leave_of_the_only_binder_ends_no_route()
    {
        string link = cluster.NewLink("leave-no-route");
        TestNode sender = cluster.Node(link, "sender");
        TestNode only = cluster.Node(link, "only");
        await sender.JoinAsync();
        await only.JoinAsync();
        await only.BindAsync("work", PortMode.Unicast);

        await sender.SendAsync("work");
        await only.ReceiveAsync();
        await only.LeaveAsync();

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.NoRoute, status.State);
        Assert.Equal(0U, status.Confirmed);
        Assert.Equal(ErrorCode.NoRoute, (await sender.SendAsync("work")).Code);
        Assert.DoesNotContain(await sender.Grain.GetNodesAsync(), n => n.Node == "only");
    }

    [Fact]
    public async Task Name_held_by_another_live_session_is_refused_name_taken()
    {
        string link = cluster.NewLink("name-taken");
        TestNode first = cluster.Node(link, "same");
        TestNode second = cluster.Node(link, "same");
        await first.JoinAsync();

        OperationResult refused = await second.TryJoinAsync();
        Assert.Equal(ErrorCode.NameTaken, refused.Code);

        // Joining again in the same session is not a conflict; once the session is gone the name is free.
        Assert.True((await first.TryJoinAsync(newSession: false)).Succeeded);
        await first.DetachAsync();
        await second.JoinAsync();
    }

    [Fact]
    public async Task Detached_node_gets_its_unacknowledged_delivery_again_flagged_redelivery_when_it_returns()
    {
        string link = cluster.NewLink("detach");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("work", PortMode.Unicast);

        await sender.SendAsync("work");
        Delivery before = await receiver.ReceiveAsync();
        await receiver.DetachAsync();

        // The inbox waits for the node: it stays a member, offline, with its delivery pending.
        NodeSummary waiting = Assert.Single(await sender.Grain.GetNodesAsync(), n => n.Node == "receiver");
        Assert.False(waiting.Online);
        Assert.Equal(1, waiting.Pending);

        await receiver.JoinAsync();
        Delivery after = await receiver.ReceiveAsync();
        Assert.Equal(before.MessageId, after.MessageId);
        Assert.Equal(before.Sequence, after.Sequence);
        Assert.True(after.Redelivery);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(after));
        Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
    }

    [Fact]
    public async Task Returning_node_is_not_held_up_by_a_push_stuck_on_its_previous_session()
    {
        string link = cluster.NewLink("stuck-session");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("work", PortMode.Unicast);
        var release = new TaskCompletionSource();
        try
        {
            // The session stops answering (its socket is stuck) with a delivery in flight; the gateway gives
            // up on it and the node comes back in a new session.
            receiver.StallPushes(release.Task);
            await sender.SendAsync("work");
            Delivery stuck = await receiver.ReceiveAsync();
            await receiver.DetachAsync();
            await receiver.JoinAsync();

            // The new session gets the delivery now, not once the old push has timed out (30 s).
            Delivery again = await receiver.ReceiveAsync();
            Assert.Equal(stuck.Sequence, again.Sequence);
            Assert.True(again.Redelivery);
            Assert.Equal(ErrorCode.None, await receiver.AckAsync(again));
            Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task Live_session_whose_push_failed_is_told_to_join_again_and_gets_its_delivery()
    {
        string link = cluster.NewLink("lost-push");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("work", PortMode.Unicast);

        // The push fails although the session lives (a lost message, a timeout): the link takes the node
        // offline, but tells the session to join again instead of leaving it connected and never served.
        receiver.FailNextDelivery();
        SendOutcome outcome = await sender.SendAsync("work");
        Assert.True((await receiver.NextRejoinAsync()).Succeeded);

        Delivery delivery = await receiver.ReceiveAsync();
        Assert.Equal(outcome.Sequence, delivery.Sequence);
        Assert.True(delivery.Redelivery);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(delivery));
        Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
    }

    [Fact]
    public async Task A_resume_that_takes_a_node_over_tells_the_old_connection_and_refuses_its_sends_with_213()
    {
        string link = cluster.NewLink("taken-over");
        TestNode receiver = cluster.Node(link, "receiver");
        await receiver.JoinAsync();
        await receiver.BindAsync("work", PortMode.Unicast);
        TestNode worker = cluster.Node(link, "worker");
        Guid session = Guid.NewGuid();
        Assert.True((await worker.TryJoinAsync(session, TimeSpan.FromMinutes(1), resume: false)).Succeeded);
        RecordingObserver first = worker.Observer;
        Guid firstConnection = worker.SessionId;

        // The same session resumed from a second connection while the first is still attached.
        Assert.True((await worker.TryJoinAsync(session, TimeSpan.FromMinutes(1), resume: true, keepPreviousConnection: true)).Succeeded);
        await first.Superseded.Within("the first connection to be told it was taken over");
        Assert.False(worker.Observer.Superseded.IsCompleted);

        SendOutcome[] stale = await worker.Grain.SendAsync(new MessageSource(link, "worker", firstConnection),
            [new SendCommand(Guid.NewGuid(), "work", false, 0, [1])]);
        Assert.Equal(ErrorCode.SessionTakenOver, stale[0].Code);
        SendOutcome[] fresh = await worker.Grain.SendAsync(new MessageSource(link, "worker", worker.SessionId),
            [new SendCommand(Guid.NewGuid(), "work", false, 0, [2])]);
        Assert.True(fresh[0].Accepted);
        Assert.Equal(fresh[0].Sequence, (await receiver.ReceiveAsync()).Sequence);
    }

    [Fact]
    public async Task Operations_of_a_session_that_is_not_the_nodes_are_refused_not_joined()
    {
        string link = cluster.NewLink("not-joined");
        TestNode node = cluster.Node(link, "n");
        await node.JoinAsync();
        Guid stale = node.SessionId;
        await node.DetachAsync();

        Assert.Equal(ErrorCode.NotJoined, (await node.Grain.BindAsync("n", stale, new PortBinding("p", PortMode.Unicast, false))).Code);
        Assert.Equal(ErrorCode.NotJoined, (await node.Grain.LeaveAsync("n", stale)).Code);
        Assert.Equal([ErrorCode.NotJoined], await node.Grain.AcknowledgeAsync("n", stale, [new AckCommand(Guid.NewGuid(), 1, false, false, 0, null)]));
    }
}
