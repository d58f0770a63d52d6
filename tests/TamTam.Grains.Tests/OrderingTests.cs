using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>One total order per link (docs/architecture.md, "Guarantees"): every receiver sees the same order, gap-free.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class OrderingTests(SingleSiloCluster cluster)
{
    private const int Senders = 4;
    private const int MessagesPerSender = 200;

    [Fact]
    public async Task Concurrent_senders_to_a_group_port_give_every_receiver_the_same_gap_free_order()
    {
        string link = cluster.NewLink("ordering");
        TestNode[] senders = [.. Enumerable.Range(1, Senders).Select(i => cluster.Node(link, $"sender-{i}"))];
        TestNode[] receivers = [cluster.Node(link, "r1"), cluster.Node(link, "r2")];
        foreach (TestNode node in senders.Concat(receivers))
        {
            await node.JoinAsync();
        }

        foreach (TestNode receiver in receivers)
        {
            await receiver.BindAsync("feed", PortMode.Group);
        }

        const int total = Senders * MessagesPerSender;
        AutoAckReceiver[] consumers = [.. receivers.Select(r => new AutoAckReceiver(r))];

        ulong[][] accepted = await Task.WhenAll(senders.Select(sender => Task.Run(async () =>
        {
            var sequences = new ulong[MessagesPerSender];
            for (int i = 0; i < MessagesPerSender; i++)
            {
                SendOutcome outcome = await sender.SendAsync("feed", BitConverter.GetBytes(i));
                Assert.True(outcome.Accepted, $"{sender.Name} message {i}: {outcome.Code} {outcome.Detail}");
                sequences[i] = outcome.Sequence;
            }

            return sequences;
        })));
        await Task.WhenAll(consumers.Select(c => c.SeenAsync(total)));

        // Each sender's messages took increasing places; together they are 1..800 with no gap.
        Assert.All(accepted, s => Assert.Equal(s.Order(), s));
        Assert.Equal(Enumerable.Range(1, total).Select(i => (ulong)i), accepted.SelectMany(s => s).Order());

        ulong[] firstOrder = [.. consumers[0].FirstSights.Select(d => d.Sequence)];
        ulong[] secondOrder = [.. consumers[1].FirstSights.Select(d => d.Sequence)];
        Assert.Equal(firstOrder, secondOrder);
        Assert.Equal(Enumerable.Range(1, total).Select(i => (ulong)i), firstOrder);
        foreach (AutoAckReceiver consumer in consumers)
        {
            Assert.Equal(Enumerable.Range(1, total).Select(i => (ulong)i), consumer.FirstSights.Select(d => d.PortSequence));
            Assert.All(consumer.FirstSights, d => Assert.Equal((ushort)1, d.Attempt));
        }

        // Every message ends DELIVERED to both receivers.
        foreach (TestNode sender in senders)
        {
            for (int i = 0; i < MessagesPerSender; i++)
            {
                StatusReport status = await sender.NextStatusAsync();
                Assert.Equal(FinalState.Delivered, status.State);
                Assert.Equal(2U, status.Confirmed);
            }
        }

        foreach (AutoAckReceiver consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
    }
}
