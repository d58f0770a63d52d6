using Microsoft.Extensions.DependencyInjection;
using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests;

/// <summary>
/// A link's next activation rebuilds everything from its log: members, bindings, counters, pending
/// deliveries, held statuses and the idempotency index. Checked through behaviour only.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class LogReplayTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Reactivated_link_has_its_members_bindings_pending_messages_and_held_statuses_back()
    {
        string link = cluster.NewLink("replay");
        var scene = await Scene.StartAsync(cluster, link);

        await scene.PendingAndHeldAsync();
        await scene.DetachAllAsync(); // nobody rejoins on relink: what comes back comes from the log
        await cluster.DeactivateAsync(link);

        await scene.VerifyRestoredAsync();
    }

    [Fact]
    public async Task Reactivated_link_has_its_state_back_after_compaction_dropped_old_segments()
    {
        string link = cluster.NewLink("replay-compacted");
        var scene = await Scene.StartAsync(cluster, link);

        // The joins and binds, and the acceptance of a message acknowledged only much later, end up in
        // segments that compaction drops: only the checkpoint and the later records remain.
        await scene.Sender.SendAsync("work", id: scene.Early);
        Delivery early = await scene.Worker.ReceiveAsync();
        await scene.FillAsync(150);
        Assert.Equal(ErrorCode.None, await scene.Worker.AckAsync(early));
        Assert.Equal(scene.Early, (await scene.Sender.NextStatusAsync()).MessageId); // held, not confirmed
        scene.HoldsEarly();
        await scene.FillAsync(150);

        string directory = cluster.Cluster.GetSiloServiceProvider().GetRequiredService<LocalSegmentLogStore>().GetLogDirectory("links/" + link);
        await Patience.Until(
            () => Task.FromResult(!File.Exists(Path.Combine(directory, "00000000000000000001.seg"))),
            "compaction drops the link's first segment");

        await scene.PendingAndHeldAsync();
        await scene.DetachAllAsync();
        await cluster.DeactivateAsync(link);

        await scene.VerifyRestoredAsync();
    }

    /// <summary>Nodes and state that a replay must restore.</summary>
    private sealed class Scene
    {
        private readonly Guid _pendingId = Guid.NewGuid();
        private readonly List<Guid> _held = [Guid.NewGuid(), Guid.NewGuid()];
        private SendOutcome _pending;

        private Scene(SingleSiloCluster cluster, string link)
        {
            Sender = cluster.Node(link, "sender");
            Worker = cluster.Node(link, "worker");
            Watcher = cluster.Node(link, "watcher");
            Filler = cluster.Node(link, "filler");
            Other = cluster.Node(link, "other");
        }

        public TestNode Sender { get; }

        public TestNode Worker { get; }

        public TestNode Watcher { get; }

        public TestNode Filler { get; }

        public TestNode Other { get; }

        public Guid Early { get; } = Guid.NewGuid();

        private TestNode[] All => [Sender, Worker, Watcher, Filler, Other];

        public static async Task<Scene> StartAsync(SingleSiloCluster cluster, string link)
        {
            var scene = new Scene(cluster, link);
            foreach (TestNode node in scene.All)
            {
                await node.JoinAsync();
            }

            await scene.Worker.BindAsync("work", PortMode.Unicast);
            await scene.Watcher.BindAsync("news", PortMode.Group, subtree: true);
            await scene.Filler.BindAsync("fill", PortMode.Unicast);
            return scene;
        }

        /// <summary>The early message's status is held too (the compaction test).</summary>
        public void HoldsEarly() => _held.Add(Early);

        /// <summary>Acknowledged traffic whose statuses are confirmed: log records that nothing needs later.</summary>
        public async Task FillAsync(int messages)
        {
            for (int done = 0; done < messages; done += 10)
            {
                SendOutcome[] outcomes = await Sender.SendBatchAsync(
                    [.. Enumerable.Range(0, 10).Select(_ => new SendCommand(Guid.NewGuid(), "fill", false, 0, new byte[100]))]);
                Assert.All(outcomes, o => Assert.True(o.Accepted));
                var deliveries = new List<Delivery>();
                for (int i = 0; i < 10; i++)
                {
                    deliveries.Add(await Filler.ReceiveAsync());
                }

                Assert.All(await Filler.AnswerAsync([.. deliveries.Select(TestNode.Ack)]), r => Assert.Equal(ErrorCode.None, r));
                var statuses = new List<Guid>();
                for (int i = 0; i < 10; i++)
                {
                    statuses.Add((await Sender.NextStatusAsync()).MessageId);
                }

                await Sender.ConfirmAsync([.. statuses]);
            }
        }

        /// <summary>One delivery the worker holds unacknowledged; two statuses the sender has not confirmed.</summary>
        public async Task PendingAndHeldAsync()
        {
            await Sender.SendAsync("work", id: _held[0]);
            Assert.Equal(ErrorCode.None, await Worker.AckAsync(await Worker.ReceiveAsync()));
            await Sender.SendAsync("news/today", id: _held[1]);
            Assert.Equal(ErrorCode.None, await Watcher.AckAsync(await Watcher.ReceiveAsync()));
            _pending = await Sender.SendAsync("work", [7, 7], id: _pendingId);
            Delivery pending = await Worker.ReceiveAsync();
            Assert.Equal(_pending.Sequence, pending.Sequence);
            Assert.False(pending.Redelivery);

            var statuses = new[] { (await Sender.NextStatusAsync()).MessageId, (await Sender.NextStatusAsync()).MessageId };
            Assert.Equal(_held[..2].Order(), statuses.Order());
        }

        public async Task DetachAllAsync()
        {
            foreach (TestNode node in All)
            {
                await node.DetachAsync();
            }
        }

        public async Task VerifyRestoredAsync()
        {
            // Members: all five, offline; the worker's inbox still holds the unacknowledged delivery.
            NodeSummary[] nodes = await Sender.Grain.GetNodesAsync();
            Assert.Equal(["filler", "other", "sender", "watcher", "worker"], nodes.Select(n => n.Node));
            Assert.All(nodes, n => Assert.False(n.Online));
            Assert.Equal(1, nodes.Single(n => n.Node == "worker").Pending);

            // Bindings: the unicast port and the group subtree still route; an unbound port does not.
            await Other.JoinAsync();
            SendOutcome toWork = await Other.SendAsync("work");
            SendOutcome toNews = await Other.SendAsync("news/tomorrow");
            Assert.True(toWork.Accepted, $"work: {toWork.Code} {toWork.Detail}");
            Assert.True(toNews.Accepted, $"news/tomorrow: {toNews.Code} {toNews.Detail}");
            Assert.Equal(ErrorCode.NoRoute, (await Other.SendAsync("nowhere")).Code);

            // Counters: the link order continues where it stopped.
            Assert.Equal(_pending.Sequence + 1, toWork.Sequence);
            Assert.Equal(_pending.Sequence + 2, toNews.Sequence);

            // The pending delivery comes again, flagged redelivery, before the new one, whose port sequence follows.
            await Worker.JoinAsync();
            Delivery again = await Worker.ReceiveAsync();
            Assert.Equal(_pending.Sequence, again.Sequence);
            Assert.Equal([7, 7], again.Payload);
            Assert.True(again.Redelivery);
            Delivery next = await Worker.ReceiveAsync();
            Assert.Equal(toWork.Sequence, next.Sequence);
            Assert.Equal(again.PortSequence + 1, next.PortSequence);

            // Idempotency: the pending and the held messages' ids are still duplicates.
            SendOutcome pendingAgain = await Sender.SendAsync("work", id: _pendingId);
            Assert.True(pendingAgain.Duplicate);
            Assert.Equal(_pending.Sequence, pendingAgain.Sequence);
            foreach (Guid id in _held)
            {
                SendOutcome heldAgain = await Sender.SendAsync("work", id: id);
                Assert.True(heldAgain.Duplicate, $"{id}, whose status is unconfirmed, was accepted again as sequence {heldAgain.Sequence}");
            }

            // Held statuses: the sender's new session gets every unconfirmed one, DELIVERED.
            await Sender.JoinAsync();
            var statuses = new List<StatusReport>();
            for (int i = 0; i < _held.Count; i++)
            {
                statuses.Add(await Sender.NextStatusAsync());
            }

            Assert.Equal(_held.Order(), statuses.Select(s => s.MessageId).Order());
            Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));
        }
    }
}
