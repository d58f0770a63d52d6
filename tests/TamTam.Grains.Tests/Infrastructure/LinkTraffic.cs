using System.Collections.Concurrent;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// Traffic through a link while something happens to its activation. One sender sends to a group port of two
/// receivers (sending again, with the same id, a SEND whose answer was lost, as a client does); both receivers
/// acknowledge everything. Afterwards every accepted message must have reached both receivers under its one
/// sequence and ended DELIVERED in exactly one status.
/// </summary>
public static class LinkTraffic
{
    public const int Messages = 300;

    public static async Task RunAsync(LinkCluster cluster, string link, ITestOutputHelper output, Func<TestNode[], Task> disrupt)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(disrupt);
        TestNode sender = cluster.Node(link, "sender");
        TestNode[] receivers = [cluster.Node(link, "r1"), cluster.Node(link, "r2")];
        TestNode[] nodes = [sender, .. receivers];
        foreach (TestNode node in nodes)
        {
            await node.JoinAsync();
        }

        foreach (TestNode receiver in receivers)
        {
            await receiver.BindAsync("feed", PortMode.Group);
        }

        var accepted = new ConcurrentDictionary<Guid, ulong>();
        var aThird = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < Messages; i++)
            {
                (Guid id, SendOutcome outcome) = await SendUntilAnsweredAsync(sender);
                Assert.True(accepted.TryAdd(id, outcome.Sequence));
                if (i == Messages / 3)
                {
                    aThird.TrySetResult();
                }
            }
        });
        AutoAckReceiver[] consumers = [.. receivers.Select(r => new AutoAckReceiver(r, tolerant: true))];

        await aThird.Task.Within("a third of the traffic");
        await disrupt(nodes).Within("the link to move", TimeSpan.FromSeconds(30));
        output.WriteLine($"moved with {accepted.Count} of {Messages} accepted");
        await sending.Within($"every message to be accepted ({accepted.Count} so far)", TimeSpan.FromSeconds(30));
        await Task.WhenAll(consumers.Select(c => c.SeenAsync(Messages)));

        // Nothing lost: every accepted message reached both receivers, under one sequence each.
        Assert.Equal(Messages, accepted.Count);
        Assert.Equal(Messages, accepted.Values.Distinct().Count());
        foreach (AutoAckReceiver consumer in consumers)
        {
            Assert.Equal(accepted.Keys.Order(), consumer.FirstSights.Select(d => d.MessageId).Order());
            Assert.All(consumer.FirstSights, d => Assert.Equal(accepted[d.MessageId], d.Sequence));
        }

        // ... and every one ends DELIVERED to both, in exactly one status (repeats of a held status are equal).
        var statuses = new Dictionary<Guid, StatusReport>();
        while (statuses.Count < Messages)
        {
            StatusReport status = await sender.NextStatusAsync(TimeSpan.FromSeconds(20));
            if (statuses.TryGetValue(status.MessageId, out StatusReport? earlier))
            {
                Assert.Equal(earlier, status);
                continue;
            }

            Assert.True(accepted.ContainsKey(status.MessageId), $"status for a message never accepted: {status}");
            Assert.Equal(FinalState.Delivered, status.State);
            Assert.Equal(2U, status.Confirmed);
            statuses.Add(status.MessageId, status);
        }

        await sender.ConfirmAsync([.. statuses.Keys]);
        output.WriteLine($"redeliveries: {string.Join(", ", consumers.Select(c => c.Redeliveries))}");
        foreach (AutoAckReceiver consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
    }

    /// <summary>A session that noticed its link's silo died joins again until the link is back.</summary>
    public static async Task RejoinAsync(TestNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                OperationResult result = await node.TryJoinAsync(newSession: false);
                Assert.True(result.Succeeded, $"{node.Name}: {result.Code} {result.Detail}");
                return;
            }
            catch (Exception) when (attempt < 50)
            {
                // Not declared dead yet, or the next activation is still starting.
                await Task.Delay(100);
            }
        }
    }

    private static async Task<(Guid Id, SendOutcome Outcome)> SendUntilAnsweredAsync(TestNode sender)
    {
        var id = Guid.NewGuid();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                SendOutcome outcome = await sender.SendAsync("feed", BitConverter.GetBytes(attempt), id: id);
                if (outcome.Accepted)
                {
                    return (id, outcome);
                }

                Assert.Equal(ErrorCode.Unavailable, outcome.Code);
            }
            catch (Exception) when (attempt < 50)
            {
                // The link's silo died under the call, or the call timed out: send it again.
            }

            await Task.Delay(50);
        }
    }
}
