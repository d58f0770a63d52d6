using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>
/// Refusals at SEND through the grain (300); a repeated message id is accepted once, concurrent repeats included. The
/// quota and size refusals are core tests (<see cref="Core.LinkOrchestratorRoutingTests"/>).
/// </summary>
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
