using Orleans.TestingHost;
using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.Grains.Tests;

/// <summary>
/// A link's activation moves to another silo mid-traffic; the next activation replays the log the silos share
/// and every accepted message is still delivered and confirmed.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class FailoverTests(TwoSiloCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Link_moved_to_the_other_silo_mid_traffic_delivers_and_confirms_every_accepted_message()
    {
        string link = cluster.NewLink("migrate");
        await LinkTraffic.RunAsync(cluster, link, output, async nodes =>
        {
            InProcessSiloHandle from = cluster.HostOf(link);
            InProcessSiloHandle to = cluster.Cluster.GetActiveSilos().First(s => !s.SiloAddress.Equals(from.SiloAddress));
            await cluster.Cluster.MigrateAsync(cluster.Link(link), to.SiloAddress);

            // The old activation told every node to relink; they join the next one, on the other silo.
            foreach (TestNode node in nodes)
            {
                Assert.True((await node.NextRejoinAsync()).Succeeded);
            }

            Assert.Equal(to.SiloAddress, cluster.HostOf(link).SiloAddress);
        });
    }

    [Fact]
    public async Task Link_moves_to_the_other_silo_even_when_one_session_cannot_be_told_to_relink()
    {
        string link = cluster.NewLink("relink-fails");
        TestNode deaf = cluster.Node(link, "deaf");
        TestNode worker = cluster.Node(link, "worker");
        await deaf.JoinAsync();
        await worker.JoinAsync();
        await worker.BindAsync("jobs", PortMode.Unicast);
        Assert.True((await deaf.SendAsync("jobs")).Accepted);
        Assert.Equal(ErrorCode.None, await worker.AckAsync(await worker.ReceiveAsync()));
        deaf.FailRelink = true;

        InProcessSiloHandle from = cluster.HostOf(link);
        InProcessSiloHandle to = cluster.Cluster.GetActiveSilos().First(s => !s.SiloAddress.Equals(from.SiloAddress));
        await cluster.Cluster.MigrateAsync(cluster.Link(link), to.SiloAddress);

        // The failed relink of the first node neither keeps the others from hearing theirs nor keeps the log
        // (and its lock) open on the old silo: the next activation, on the other silo, opens it.
        Assert.True((await worker.NextRejoinAsync()).Succeeded);
        await deaf.JoinAsync(newSession: false);
        Assert.Equal(to.SiloAddress, cluster.HostOf(link).SiloAddress);
        Assert.Equal(FinalState.Delivered, (await deaf.NextStatusAsync()).State);
        SendOutcome next = await deaf.SendAsync("jobs");
        Assert.Equal(2UL, next.Sequence);
        Assert.Equal(next.Sequence, (await worker.ReceiveAsync()).Sequence);
    }
}

/// <summary>
/// The link's silo is killed mid-traffic: no deactivation, no relink. The sessions notice and join again,
/// which activates the link on the survivor from the shared log. This test owns its cluster: after a kill,
/// calls routed through the dead silo stall for seconds, which would disturb other tests.
/// </summary>
public sealed class SiloCrashTests(SiloCrashTests.Cluster cluster, ITestOutputHelper output) : IClassFixture<SiloCrashTests.Cluster>
{
    [Fact]
    public async Task Link_whose_silo_is_killed_mid_traffic_comes_back_on_the_survivor_with_nothing_lost()
    {
        string link = cluster.NewLink("kill");
        await LinkTraffic.RunAsync(cluster, link, output, async nodes =>
        {
            InProcessSiloHandle victim = cluster.HostOf(link);
            await cluster.Cluster.KillSiloAsync(victim);
            foreach (TestNode node in nodes)
            {
                await LinkTraffic.RejoinAsync(node);
            }

            Assert.NotEqual(victim.SiloAddress, cluster.HostOf(link).SiloAddress);
        });
    }

    /// <summary>
    /// Calls in flight to the killed silo fail after 5 s instead of Orleans' 30; not shorter, as a push slower
    /// than this on a loaded machine would make the link take a live node for gone.
    /// </summary>
    public sealed class Cluster() : LinkCluster(2, TwoSiloCluster.Settings, TimeSpan.FromSeconds(5));
}
