using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>Refusals at SEND (300, 302, 303) store nothing; a repeated message id is accepted once.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class SendRefusalTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Send_to_a_port_nobody_bound_is_refused_no_route()
    {
        string link = cluster.NewLink("unbound");
        TestNode sender = cluster.Node(link, "sender");
        await sender.JoinAsync();

        SendOutcome outcome = await sender.SendAsync("nobody-here");

        Assert.Equal(ErrorCode.NoRoute, outcome.Code);
        Assert.False(outcome.Accepted);
        Assert.Equal(0UL, outcome.Sequence);
    }

    [Fact]
    public async Task Send_to_a_link_nobody_joined_is_refused_no_route()
    {
        string home = cluster.NewLink("home");
        TestNode sender = cluster.Node(home, "sender");
        await sender.JoinAsync();

        SendOutcome outcome = await sender.SendAsync("jobs", toLink: cluster.NewLink("empty"));

        Assert.Equal(ErrorCode.NoRoute, outcome.Code);
    }

    [Fact]
    public async Task Send_beyond_the_inbox_message_quota_is_refused_and_the_rest_of_the_batch_is_accepted()
    {
        string link = cluster.NewLink("quota-count");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        await receiver.DetachAsync(); // nothing is acknowledged: the inbox only fills

        int quota = LinkCluster.Orchestrator.MaxInboxMessages;
        SendCommand[] batch = [.. Enumerable.Range(0, quota + 1).Select(_ => new SendCommand(Guid.NewGuid(), "jobs", false, 0, [1]))];
        SendOutcome[] outcomes = await sender.SendBatchAsync(batch);

        Assert.All(outcomes[..quota], o => Assert.True(o.Accepted));
        Assert.Equal(Enumerable.Range(1, quota).Select(i => (ulong)i), outcomes[..quota].Select(o => o.Sequence));
        Assert.Equal(ErrorCode.QuotaExceeded, outcomes[quota].Code);
        Assert.Equal(ErrorCode.QuotaExceeded, (await sender.SendAsync("jobs")).Code);
        Assert.Equal(quota, Assert.Single(await sender.Grain.GetNodesAsync(), n => n.Node == "receiver").Pending);
    }

    [Fact]
    public async Task Group_send_that_would_overflow_one_members_inbox_is_refused_whole()
    {
        string link = cluster.NewLink("quota-bytes");
        TestNode sender = cluster.Node(link, "sender");
        TestNode full = cluster.Node(link, "full");
        TestNode other = cluster.Node(link, "other");
        await sender.JoinAsync();
        await full.JoinAsync();
        await other.JoinAsync();
        await full.BindAsync("g", PortMode.Group);
        await other.BindAsync("g", PortMode.Group);
        await full.BindAsync("only-full", PortMode.Unicast);
        await full.DetachAsync();

        // 6 × 10 KiB wait in "full"'s 64 KiB inbox; one more 10 KiB payload does not fit.
        byte[] big = new byte[10 * 1024];
        for (int i = 0; i < 6; i++)
        {
            Assert.True((await sender.SendAsync("only-full", big)).Accepted);
        }

        Assert.Equal(ErrorCode.QuotaExceeded, (await sender.SendAsync("only-full", big)).Code);
        SendOutcome refused = await sender.SendAsync("g", big);
        Assert.Equal(ErrorCode.QuotaExceeded, refused.Code);

        // Nothing was half accepted: the other member's first delivery is the next message that fits.
        SendOutcome marker = await sender.SendAsync("g", [1]);
        Assert.True(marker.Accepted);
        Assert.Equal(7UL, marker.Sequence);
        Delivery first = await other.ReceiveAsync();
        Assert.Equal(marker.Sequence, first.Sequence);
        Assert.Equal(1UL, first.PortSequence);
    }

    [Fact]
    public async Task Payload_above_the_message_limit_is_refused_too_large()
    {
        string link = cluster.NewLink("too-large");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        int limit = LinkCluster.Orchestrator.MaxMessageBytes;

        SendOutcome[] outcomes = await sender.SendBatchAsync(
        [
            new SendCommand(Guid.NewGuid(), "jobs", false, 0, new byte[limit + 1]),
            new SendCommand(Guid.NewGuid(), "jobs", false, 0, new byte[limit]),
        ]);

        Assert.Equal(ErrorCode.MessageTooLarge, outcomes[0].Code);
        Assert.True(outcomes[1].Accepted);
        Assert.Equal(1UL, outcomes[1].Sequence);
        Assert.Equal(limit, (await receiver.ReceiveAsync()).Payload.Length);
    }

    [Fact]
    public async Task Repeated_message_id_is_a_duplicate_with_the_original_sequence_and_is_delivered_once()
    {
        string link = cluster.NewLink("duplicate");
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        var id = Guid.NewGuid();

        SendOutcome original = await sender.SendAsync("jobs", id: id);
        SendOutcome again = await sender.SendAsync("jobs", id: id);
        SendOutcome[] sameBatch = await sender.SendBatchAsync(
            [new SendCommand(id, "jobs", false, 0, [1]), new SendCommand(id, "jobs", false, 0, [1])]);
        SendOutcome[] concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => sender.SendAsync("jobs", id: id)));

        Assert.True(original.Accepted);
        Assert.False(original.Duplicate);
        Assert.All(new[] { again }.Concat(sameBatch).Concat(concurrent), o =>
        {
            Assert.True(o.Accepted);
            Assert.True(o.Duplicate);
            Assert.Equal(original.Sequence, o.Sequence);
            Assert.Equal(original.AcceptedAtUs, o.AcceptedAtUs);
        });

        // Deliveries come in sequence order: a stored copy would arrive before this marker.
        SendOutcome marker = await sender.SendAsync("jobs");
        Delivery first = await receiver.ReceiveAsync();
        Assert.Equal(id, first.MessageId);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(first));
        Delivery second = await receiver.ReceiveAsync();
        Assert.Equal(marker.Sequence, second.Sequence);
        Assert.Equal(original.Sequence + 1, marker.Sequence);

        StatusReport status = await sender.NextStatusAsync();
        Assert.Equal(id, status.MessageId);
        Assert.Equal(FinalState.Delivered, status.State);
    }
}
