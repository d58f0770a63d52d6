using System.Diagnostics;
using TamTam.Bench.Workloads.W1;
using TamTam.Testing.Cluster;

namespace TamTam.Bench.Workloads.W7;

/// <summary>
/// W7 failover: silo executables on loopback forming one cluster (grain state and link logs in Azurite's blob
/// service; membership in Azurite's table service or in redis-server). First W1 on one silo and W1 on three, side by
/// side; then W1-shaped acknowledged traffic across the three silos while one silo after another is killed with
/// SIGKILL and started again. Per kill: how long until every link accepts again; over the run: messages lost
/// (ACCEPTED, never handed to the consumer) and handed to an application twice, both of which must be 0.
/// </summary>
internal static class Failover
{
    private const int Silos = 3;
    private static readonly TimeSpan EveryLinkBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(WorkloadOptions options)
    {
        ClusterMode mode = options.Mode switch
        {
            null or "azure-table" => ClusterMode.AzureTable,
            "redis" => ClusterMode.Redis,
            "localhost" => ClusterMode.Localhost,
            _ => throw new ArgumentException("--mode takes azure-table, redis or localhost"),
        };
        string clustering = options.Mode ?? "azure-table";
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using RedisServer? redis = mode == ClusterMode.Redis ? await RedisServer.StartAsync() : null;

        foreach (int silos in (int[])[1, Silos])
        {
            await RunW1Async(options, mode, clustering, silos, azurite, redis);
        }

        return await RunKillsAsync(options, mode, clustering, azurite, redis);
    }

    private static async Task RunW1Async(WorkloadOptions options, ClusterMode mode, string clustering, int silos, AzuriteServer azurite, RedisServer? redis)
    {
        await using SiloCluster cluster = await SiloCluster.StartAsync(mode, silos, azurite, redis, options.SiloArguments);
        await using Interchange interchange = await Interchange.OpenAsync(cluster.Endpoints[0], []);
        if (options.Warmup > 0)
        {
            await AckedUnicastOverTcp.RunAsync(interchange, options with { Messages = options.Warmup }, options.Links[0], cluster.Endpoints);
        }

        foreach (int links in options.Links)
        {
            await Console.Error.WriteLineAsync($"w7: W1, {options.Messages} messages over {links} link(s) on {silos} silo process(es)…");
            WorkloadResult result = await AckedUnicastOverTcp.RunAsync(interchange, options, links, cluster.Endpoints);
            Console.WriteLine((result with
            {
                Server = $"{silos} silo process(es), blob storage on Azurite, {clustering} clustering",
                Silos = silos,
            }).ToJsonLine());
        }
    }

    private static async Task<int> RunKillsAsync(WorkloadOptions options, ClusterMode mode, string clustering, AzuriteServer azurite, RedisServer? redis)
    {
        int links = options.Links.Max();
        int window = options.Window > 0 ? options.Window : 16;
        await using SiloCluster cluster = await SiloCluster.StartAsync(mode, Silos, azurite, redis, options.SiloArguments);
        await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, links, "w7", options.PayloadBytes);
        traffic.Start(window);
        await traffic.WaitForMoreAcceptedAsync(links * 100, EveryLinkBound);

        var everyLink = new List<double>();
        for (int kill = 1; kill <= options.Kills; kill++)
        {
            // Localhost clustering cannot lose its primary (silo 0): there only the others die.
            ClusterSilo victim = cluster.Silos[mode == ClusterMode.Localhost ? 1 + (kill % (Silos - 1)) : kill % Silos];
            int acceptedBefore = traffic.AcceptedCount;
            long killedAt = Stopwatch.GetTimestamp();
            await Console.Error.WriteLineAsync($"w7: {DateTime.UtcNow:HH:mm:ss.fff} SIGKILL silo {victim.Index}");
            await victim.KillAsync();
            IReadOnlyList<TimeSpan> perLink = await traffic.WaitUntilEveryLinkAcceptsAsync(killedAt, EveryLinkBound);
            double all = perLink.Max().TotalMilliseconds;
            everyLink.Add(all);

            long restartAt = Stopwatch.GetTimestamp();
            await victim.StartAsync();
            TimeSpan restart = Stopwatch.GetElapsedTime(restartAt);
            ResultLine.Print(new KillResult
            {
                Kill = kill,
                Silo = victim.Index,
                Clustering = clustering,
                Links = links,
                EveryLinkAcceptingMs = Math.Round(all),
                LinkP50Ms = Math.Round(Median(perLink.Select(t => t.TotalMilliseconds))),
                AcceptedDuringKill = traffic.AcceptedCount - acceptedBefore,
                RestartMs = Math.Round(restart.TotalMilliseconds),
                Date = Workload.Today,
            });

            // The restarted silo back in the membership and taking work before the next kill.
            await traffic.WaitForMoreAcceptedAsync(links * 50, EveryLinkBound);
        }

        await traffic.StopProducingAsync(EveryLinkBound);
        TrafficOutcome outcome = await traffic.SettleAsync(SettleBound);
        var summary = new FailoverSummary
        {
            Clustering = clustering,
            Silos = Silos,
            Links = links,
            Window = window,
            PayloadBytes = options.PayloadBytes,
            Kills = options.Kills,
            EveryLinkAcceptingP50Ms = Math.Round(Median(everyLink)),
            EveryLinkAcceptingMaxMs = Math.Round(everyLink.Max()),
            Accepted = outcome.Accepted,
            Lost = outcome.Lost,
            DuplicatedToApplications = outcome.ProcessedTwice,
            WithoutFinalState = outcome.WithoutFinalState,
            FinalStates = outcome.FinalStates,
            RefusedSends = outcome.Refusals,
            Date = Workload.Today,
        };
        ResultLine.Print(summary);
        return outcome.Lost == 0 && outcome.ProcessedTwice == 0 && outcome.WithoutFinalState == 0 ? 0 : 1;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
