using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>Sections 5.10–5.14 and 7 of docs/protocol.md: every accepted SEND ends in exactly one final STATUS.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class DeliveryLifecycleTests(SingleSiloCluster cluster)
{
    private async Task<(TestNode Sender, TestNode Receiver)> PairAsync(string purpose)
    {
        string link = cluster.NewLink(purpose);
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        return (sender, receiver);
    }

    [Fact]
    public async Task Acknowledged_delivery_ends_delivered_and_confirmed_status_is_forgotten()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("ack");
        var id = Guid.NewGuid();

        SendOutcome outcome = await sender.SendAsync("jobs", [9, 8, 7], id: id);
        Assert.True(outcome.Accepted);
        Assert.False(outcome.Duplicate);
        Assert.Equal(1UL, outcome.Sequence);

        Delivery delivery = await receiver.ReceiveAsync();
        Assert.Equal(id, delivery.MessageId);
        Assert.Equal(outcome.Sequence, delivery.Sequence);
        Assert.Equal(1UL, delivery.PortSequence);
        Assert.Equal((ushort)1, delivery.Attempt);
        Assert.False(delivery.Redelivery);
        Assert.Equal(sender.Link, delivery.SourceLink);
        Assert.Equal("sender", delivery.SourceNode);
        Assert.Equal(sender.Link, delivery.Link);
        Assert.Equal("jobs", delivery.Port);
        Assert.Equal([9, 8, 7], delivery.Payload);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(delivery));

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(id, status.MessageId);
        Assert.Equal("sender", status.SenderNode);
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(1U, status.Recipients);
        Assert.Equal(1U, status.Confirmed);

        // Held until confirmed: a new session of the sender gets it again ...
        await sender.DetachAsync();
        await sender.JoinAsync();
        Assert.Equal(id, (await sender.NextStatusAsync()).MessageId);

        // ... and after STATUS_ACK it is gone: the next status a new session sees is a later message's.
        await sender.ConfirmAsync(id);
        await sender.DetachAsync();
        await sender.JoinAsync();
        SendOutcome next = await sender.SendAsync("jobs");
        Delivery nextDelivery = await receiver.ReceiveAsync();
        Assert.Equal(next.Sequence, nextDelivery.Sequence);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(nextDelivery));
        Assert.Equal(nextDelivery.MessageId, (await sender.NextStatusAsync()).MessageId);

        // The ACKed delivery is settled: answering it again is 304.
        Assert.Equal(ErrorCode.UnknownDelivery, await receiver.AckAsync(delivery));
    }

    [Fact]
    public async Task Nack_without_requeue_ends_rejected()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("reject");
        SendOutcome outcome = await sender.SendAsync("jobs");

        Delivery delivery = await receiver.ReceiveAsync();
        Assert.Equal(ErrorCode.None, await receiver.NackAsync(delivery, requeue: false));

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(delivery.MessageId, status.MessageId);
        Assert.Equal(FinalState.Rejected, status.State);
        Assert.Equal(1U, status.Recipients);
        Assert.Equal(0U, status.Confirmed);
        Assert.Equal(ErrorCode.UnknownDelivery, await receiver.AckAsync(delivery));
        Assert.Equal(outcome.Sequence, delivery.Sequence);
    }

    [Fact]
    public async Task Nack_with_requeue_redelivers_the_same_message_with_the_next_attempt_and_ack_then_delivers()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("requeue");
        await sender.SendAsync("jobs", [42]);

        Delivery first = await receiver.ReceiveAsync();
        Assert.Equal(ErrorCode.None, await receiver.NackAsync(first, requeue: true));

        Delivery second = await receiver.ReceiveAsync();
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(first.Sequence, second.Sequence);
        Assert.Equal(first.PortSequence, second.PortSequence);
        Assert.Equal(first.Attempt + 1, second.Attempt);
        Assert.False(first.Redelivery);
        Assert.True(second.Redelivery);
        Assert.Equal([42], second.Payload);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(second));

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(1U, status.Confirmed);
    }

    [Fact]
    public async Task Unacknowledged_delivery_is_redelivered_after_the_ack_timeout()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("timeout");
        await sender.SendAsync("jobs");

        Delivery first = await receiver.ReceiveAsync();
        Delivery second = await receiver.ReceiveAsync(); // no answer: the ack timeout sends it again
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(first.Sequence, second.Sequence);
        Assert.Equal((ushort)2, second.Attempt);
        Assert.True(second.Redelivery);

        // The first attempt counts as failed: only the live one may be answered.
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(second));
        Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
    }

    [Fact]
    public async Task Ack_timeout_runs_from_when_the_session_has_written_the_delivery()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("timeout-from-sent");
        var written = new TaskCompletionSource();
        try
        {
            // The session takes longer than the ack timeout (1 s) to write the delivery to its connection.
            receiver.StallPushes(written.Task);
            await sender.SendAsync("jobs");
            Delivery delivery = await receiver.ReceiveAsync();
            await Task.Delay(TimeSpan.FromSeconds(2.5)); // the time under test: 2.5 ack timeouts with the push unfinished
            receiver.StallPushes(Task.CompletedTask);
            written.SetResult();

            // The attempt is still live: the answer settles it, and no second attempt was made.
            Assert.Equal(ErrorCode.None, await receiver.AckAsync(delivery));
            Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
            Assert.DoesNotContain(receiver.History, h => h.Delivery.Attempt > 1);
        }
        finally
        {
            written.TrySetResult();
        }
    }

    [Fact]
    public async Task Delivery_unanswered_for_max_attempts_ends_undeliverable()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("undeliverable");
        await sender.SendAsync("jobs");

        for (int attempt = 1; attempt <= LinkCluster.Orchestrator.MaxAttempts; attempt++)
        {
            Delivery delivery = await receiver.ReceiveAsync();
            Assert.Equal((ushort)attempt, delivery.Attempt);
        }

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Undeliverable, status.State);
        Assert.Equal(1U, status.Recipients);
        Assert.Equal(0U, status.Confirmed);
        Assert.False(receiver.TryReceive(out Delivery extra), $"attempt {extra?.Attempt} came after the status");
    }

    [Fact]
    public async Task Requeued_every_time_until_max_attempts_ends_undeliverable()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("requeue-out");
        await sender.SendAsync("jobs");

        for (int attempt = 1; attempt <= LinkCluster.Orchestrator.MaxAttempts; attempt++)
        {
            Delivery delivery = await receiver.ReceiveAsync();
            Assert.Equal((ushort)attempt, delivery.Attempt);
            Assert.Equal(ErrorCode.None, await receiver.NackAsync(delivery, requeue: true));
        }

        Assert.Equal(FinalState.Undeliverable, (await sender.NextStatusAsync()).State);
    }

    [Fact]
    public async Task Message_whose_deadline_passes_before_its_ack_ends_expired()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("expire");
        SendOutcome outcome = await sender.SendAsync("jobs", ttlMs: 150);

        Delivery delivery = await receiver.ReceiveAsync();
        Assert.Equal(outcome.AcceptedAtUs + 150_000, delivery.DeadlineUs);

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(FinalState.Expired, status.State);
        Assert.Equal(0U, status.Confirmed);
        Assert.Equal(ErrorCode.UnknownDelivery, await receiver.AckAsync(delivery));
    }

    [Fact]
    public async Task Message_sent_with_ttl_0_is_delivered_with_the_links_default_deadline()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("ttl-0");
        SendOutcome outcome = await sender.SendAsync("jobs", ttlMs: 0);

        Delivery delivery = await receiver.ReceiveAsync();

        // docs/protocol.md section 5.10: ttl_ms 0 takes the server's default lifetime, and DELIVER carries the deadline it gives.
        Assert.Equal(outcome.AcceptedAtUs + (long)SingleSiloCluster.Orchestrator.DefaultTtl.TotalMicroseconds, delivery.DeadlineUs);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(delivery));
    }

    [Fact]
    public async Task Message_waiting_for_an_offline_node_expires_and_leaves_its_inbox()
    {
        (TestNode sender, TestNode receiver) = await PairAsync("expire-offline");
        await receiver.DetachAsync();
        await sender.SendAsync("jobs", ttlMs: 100);

        Assert.Equal(FinalState.Expired, (await sender.NextStatusAsync()).State);
        NodeSummary[] nodes = await sender.Grain.GetNodesAsync();
        NodeSummary offline = Assert.Single(nodes, n => n.Node == "receiver");
        Assert.False(offline.Online);
        Assert.Equal(0, offline.Pending);
    }
}
