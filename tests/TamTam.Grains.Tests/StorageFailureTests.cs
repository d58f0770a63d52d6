using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>
/// A link whose storage refuses writes (a full disk): it refuses with 501 at once and never answers ACCEPTED for
/// what is not durable, stays one activation through the outage instead of replaying its log per refused call, and
/// replays once when its storage takes writes again.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class StorageFailureTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Link_refuses_sends_during_a_storage_outage_and_replays_its_log_once_after_it()
    {
        string link = cluster.NewLink("full-disk");
        string log = "links/" + link;
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        Assert.True((await sender.SendAsync("jobs")).Accepted);
        await receiver.AckAsync(await receiver.ReceiveAsync());
        int replays = cluster.Logs.Replays(log);

        cluster.Logs.FailWrites(log);
        try
        {
            for (int i = 0; i < 30; i++)
            {
                SendOutcome refused = await sender.SendAsync("jobs");
                Assert.Equal(ErrorCode.Unavailable, refused.Code);
            }

            Assert.Equal(replays, cluster.Logs.Replays(log));
        }
        finally
        {
            cluster.Logs.Heal(log);
        }

        // The probe's write succeeds: the activation ends once, its nodes join the next, which replays the log.
        Assert.True((await sender.NextRejoinAsync()).Succeeded);
        await receiver.NextRejoinAsync();
        SendOutcome accepted = await sender.SendAsync("jobs");
        Assert.True(accepted.Accepted, $"{accepted.Code} {accepted.Detail}");
        Assert.Equal(replays + 1, cluster.Logs.Replays(log));
        Delivery next = await receiver.ReceiveAsync();
        Assert.Equal(accepted.Sequence, next.Sequence);
    }

    [Fact]
    public async Task Ack_that_could_not_be_stored_is_refused_with_501_and_its_delivery_comes_again()
    {
        string link = cluster.NewLink("full-disk-ack");
        string log = "links/" + link;
        TestNode sender = cluster.Node(link, "sender");
        TestNode receiver = cluster.Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("jobs", PortMode.Unicast);
        SendOutcome sent = await sender.SendAsync("jobs");
        Delivery delivery = await receiver.ReceiveAsync();

        cluster.Logs.FailWrites(log);
        try
        {
            Assert.Equal(ErrorCode.Unavailable, await receiver.AckAsync(delivery));
            Assert.Equal(ErrorCode.Unavailable, await receiver.AckAsync(delivery)); // faulted: refused without a write
            Assert.Equal([ErrorCode.Unavailable], await sender.ConfirmAsync(Guid.NewGuid()));
        }
        finally
        {
            cluster.Logs.Heal(log);
        }

        await receiver.NextRejoinAsync();
        await sender.NextRejoinAsync();
        Delivery again = await receiver.ReceiveAsync();
        Assert.Equal(sent.Sequence, again.Sequence);
        Assert.True(again.Redelivery);
        Assert.Equal(ErrorCode.None, await receiver.AckAsync(again));
        Assert.Equal(FinalState.Delivered, (await sender.NextStatusAsync()).State);
    }
}
