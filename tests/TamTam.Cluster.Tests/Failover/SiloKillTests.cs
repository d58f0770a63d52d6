using TamTam.Client;
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
            Assert.True(traffic.InternalErrors == 0, $"{traffic.InternalErrors} resume(s) answered 500 INTERNAL during the failover");
        });
    }

    [Fact]
    public async Task Clients_of_surviving_silos_keep_their_connections_and_get_every_final_state_when_their_links_silo_is_SIGKILLed()
    {
        // Every client on silo 0, every link first opened through silo 1 (placement prefers the caller's silo), so that the
        // links die with silo 1 and come back elsewhere knowing none of these connections: the gateway must join them again
        // there, or their senders never hear the final states of what the new activations complete.
        await using SiloCluster cluster = await backends.StartClusterAsync(ClusterMode.Redis,
            extraArguments: ["--Logging:LogLevel:TamTam.Grains.Links.LinkGrain=Information"]);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            string run = Guid.NewGuid().ToString("N")[..8];
            await using (TamTamClient anchor = await ClusterClients.ConnectAsync(cluster.Endpoints, 1))
            {
                for (int i = 0; i < Links; i++)
                {
                    await anchor.JoinAsync($"survivors-{run}-{i}", "anchor");
                    await anchor.LeaveAsync();
                }
            }

            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, Links, "survivors", placement: _ => (0, 0), run: run)
                .WaitAsync(ClusterTimeout.Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, ClusterTimeout.Traffic);

            int onVictim = ActivatedLinks(cluster.Silos[1].Output, run).Count;
            Assert.True(onVictim > 0, $"no link lived on silo 1, so its death tests nothing:\n{cluster.DescribeOutputs()}");
            long killedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await cluster.Silos[1].KillAsync();

            IReadOnlyList<TimeSpan> recovery = await traffic.WaitUntilEveryLinkAcceptsAsync(killedAt, ClusterTimeout.Failover);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, ClusterTimeout.Traffic);
            await traffic.StopProducingAsync(ClusterTimeout.Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(ClusterTimeout.Settle);
            output.WriteLine($"{onVictim} link(s) on the killed silo; every link accepting again {recovery.Max().TotalMilliseconds:F0} ms after the kill; " +
                $"{traffic.Reconnections} reconnection(s); {outcome}");

            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
            Assert.Equal(outcome.Accepted, outcome.FinalStates.GetValueOrDefault("Delivered"));
            Assert.Equal(0, traffic.Reconnections);
        });
    }

    /// <summary>The links of <paramref name="run"/> that a silo's output says it activated.</summary>
    private static HashSet<string> ActivatedLinks(string siloOutput, string run) =>
        [.. System.Text.RegularExpressions.Regex.Matches(siloOutput, $@"Link (survivors-{run}-\d+) activated").Select(m => m.Groups[1].Value)];
}
