using System.Diagnostics;
using TamTam.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TamTam.Cluster.Tests.Failover;

/// <summary>
/// Every silo of a 3-silo cluster stopped with SIGTERM (a graceful drain), started again, then the next, under
/// acknowledged traffic: clients move off each draining silo, links move with their logs flushed, and nothing
/// accepted is lost or handed to an application twice.
/// </summary>
[Collection(ClusterBackendsCollection.Name)]
public sealed class RollingRestartTests(ClusterBackends backends, ITestOutputHelper output)
{
    private const int Links = 9;
    private const int Window = 8;

    [Fact]
    public async Task A_rolling_restart_of_every_silo_under_acknowledged_traffic_loses_and_duplicates_nothing()
    {
        await using SiloCluster cluster = await backends.StartClusterAsync(ClusterMode.Redis);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, Links, "rolling").WaitAsync(ClusterTimeout.Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 30, ClusterTimeout.Traffic);

            foreach (ClusterSilo silo in cluster.Silos)
            {
                long stoppedAt = Stopwatch.GetTimestamp();
                await silo.TerminateAsync(ClusterTimeout.Drain);
                TimeSpan drained = Stopwatch.GetElapsedTime(stoppedAt);
                IReadOnlyList<TimeSpan> moved = await traffic.WaitUntilEveryLinkAcceptsAsync(stoppedAt, ClusterTimeout.Failover);
                await silo.StartAsync();
                await traffic.WaitForMoreAcceptedAsync(Links * 20, ClusterTimeout.Traffic);
                output.WriteLine($"silo {silo.Index}: drained in {drained.TotalMilliseconds:F0} ms, every link accepting {moved.Max().TotalMilliseconds:F0} ms after SIGTERM");
            }

            await traffic.StopProducingAsync(ClusterTimeout.Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(ClusterTimeout.Settle);
            output.WriteLine(outcome.ToString());

            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
            Assert.Equal(outcome.Accepted, outcome.FinalStates.GetValueOrDefault("Delivered"));
        });
    }
}
