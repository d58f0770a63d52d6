using TamTam.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TamTam.Cluster.Tests.Failover;

/// <summary>
/// A silo of a 3-silo cluster killed with SIGKILL while clients on every silo send acknowledged traffic: the links it
/// hosted move to the others, its clients resume there, and every ACCEPTED message is still delivered, once.
/// </summary>
[Collection(ClusterBackendsCollection.Name)]
public sealed class SiloKillTests(ClusterBackends backends, ITestOutputHelper output)
{
    private const int Links = 12;
    private const int Window = 8;

    [Theory]
    [InlineData(ClusterMode.AzureTable)]
    [InlineData(ClusterMode.Redis)]
    public async Task Every_accepted_message_is_delivered_once_and_reaches_a_final_state_when_a_silo_is_SIGKILLed_mid_traffic(ClusterMode mode)
    {
        await using SiloCluster cluster = await backends.StartClusterAsync(mode);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, Links, "kill").WaitAsync(ClusterTimeout.Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, ClusterTimeout.Traffic);

            ClusterSilo victim = cluster.Silos[1];
            long killedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await victim.KillAsync();

            IReadOnlyList<TimeSpan> recovery = await traffic.WaitUntilEveryLinkAcceptsAsync(killedAt, ClusterTimeout.Failover);
            await traffic.WaitForMoreAcceptedAsync(Links * 20, ClusterTimeout.Traffic);
            await traffic.StopProducingAsync(ClusterTimeout.Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(ClusterTimeout.Settle);
            output.WriteLine($"{mode}: every link accepting again {recovery.Max().TotalMilliseconds:F0} ms after the kill; {outcome}");

            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
            Assert.Equal(outcome.Accepted, outcome.FinalStates.GetValueOrDefault("Delivered"));
        });
    }
}
