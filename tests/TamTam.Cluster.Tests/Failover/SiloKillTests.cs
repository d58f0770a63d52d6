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
        // Every client on silo 0 and every link on another silo, so that the links die with it and come back elsewhere
        // knowing none of these connections: the gateway must join them again there, or their senders never hear the
        // final states of what the new activations complete.
        await using SiloCluster cluster = await backends.StartClusterAsync(ClusterMode.Redis,
            extraArguments: ["--Logging:LogLevel:TamTam.Grains.Links.LinkGrain=Information"]);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            (string run, ClusterSilo victim, int onVictim) = await PlaceLinksAwayFromSiloZeroAsync(cluster);

            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, Links, "survivors", placement: _ => (0, 0), run: run)
                .WaitAsync(ClusterTimeout.Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, ClusterTimeout.Traffic);

            long killedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await victim.KillAsync();

            IReadOnlyList<TimeSpan> recovery = await traffic.WaitUntilEveryLinkAcceptsAsync(killedAt, ClusterTimeout.Failover);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, ClusterTimeout.Traffic);
            await traffic.StopProducingAsync(ClusterTimeout.Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(ClusterTimeout.Settle);
            output.WriteLine($"{onVictim} link(s) on the killed silo {victim.Index}; every link accepting again {recovery.Max().TotalMilliseconds:F0} ms " +
                $"after the kill; {traffic.Reconnections} reconnection(s); {outcome}");

            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
            Assert.Equal(outcome.Accepted, outcome.FinalStates.GetValueOrDefault("Delivered"));
            Assert.Equal(0, traffic.Reconnections);
        });
    }

    /// <summary>
    /// Opens the links of a fresh run through silo 1 and finds, from the silos' output, the silo other than 0 that
    /// activated most of them. Placement weighs the silos' load and only prefers the caller's silo, so every link can
    /// land on silo 0, where the clients will be; then a fresh run is tried, a bounded number of times.
    /// </summary>
    private async Task<(string Run, ClusterSilo Victim, int OnVictim)> PlaceLinksAwayFromSiloZeroAsync(SiloCluster cluster)
    {
        const int Attempts = 4;
        for (int attempt = 1; attempt <= Attempts; attempt++)
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

            // A silo's log lines reach this process through its console logger and a pipe: wait until all are here.
            int[] counts = new int[cluster.Silos.Count];
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            do
            {
                for (int s = 0; s < counts.Length; s++)
                {
                    counts[s] = ActivatedLinks(cluster.Silos[s].Output, run).Count;
                }

                if (counts.Sum() >= Links)
                {
                    break;
                }

                await Task.Delay(50);
            }
            while (DateTime.UtcNow < deadline);

            output.WriteLine($"run {run}: links activated per silo {string.Join(", ", counts)}");
            int busiest = Enumerable.Range(1, counts.Length - 1).MaxBy(s => counts[s]);
            if (counts[busiest] > 0)
            {
                return (run, cluster.Silos[busiest], counts[busiest]);
            }
        }

        throw new Xunit.Sdk.XunitException($"in {Attempts} runs of {Links} links, none was placed away from silo 0, so no silo's death tests this:\n{cluster.DescribeOutputs()}");
    }

    /// <summary>The links of <paramref name="run"/> that a silo's output says it activated.</summary>
    private static HashSet<string> ActivatedLinks(string siloOutput, string run) =>
        [.. System.Text.RegularExpressions.Regex.Matches(siloOutput, $@"Link (survivors-{run}-\d+) activated").Select(m => m.Groups[1].Value)];
}
