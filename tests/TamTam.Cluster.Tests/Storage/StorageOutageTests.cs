using System.Diagnostics;
using TamTam.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TamTam.Cluster.Tests.Storage;

/// <summary>
/// The cluster's storage (Azurite) stopped under acknowledged traffic and started again on the same port and data: the
/// silos stop accepting and tell senders 501 UNAVAILABLE instead of hanging, accept nothing they cannot make durable,
/// and accept again once storage is back, with nothing accepted before the outage lost. Membership is in Redis, so
/// the cluster itself stays up.
/// </summary>
[Collection(ClusterBackendsCollection.Name)]
public sealed class StorageOutageTests(ClusterBackends backends, ITestOutputHelper output)
{
    private const int Links = 4;
    private const int Window = 4;

    [Fact]
    public async Task Silos_that_lose_their_storage_refuse_senders_with_501_and_accept_again_once_it_is_back()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using SiloCluster cluster = await SiloCluster.StartAsync(ClusterMode.Redis, 2, azurite, backends.Redis);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync(cluster.Endpoints, Links, "outage").WaitAsync(ClusterTimeout.Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 30, ClusterTimeout.Traffic);

            await azurite.StopAsync();
            long stoppedAt = Stopwatch.GetTimestamp();
            await traffic.WaitForRefusalAsync(nameof(ErrorCode.Unavailable), ClusterTimeout.Failover);
            TimeSpan refused = Stopwatch.GetElapsedTime(stoppedAt);
            long refusedAt = Stopwatch.GetTimestamp();

            // While storage stays away nothing sent from now on is accepted: ACCEPTED means durable.
            await traffic.WaitForMoreRefusalsAsync(Links * 3, ClusterTimeout.Traffic);
            Assert.All(traffic.Links, l => Assert.Null(l.FirstAcceptIssuedAfter(refusedAt)));

            await azurite.StartAgainAsync();
            long backAt = Stopwatch.GetTimestamp();
            IReadOnlyList<TimeSpan> recovered = await traffic.WaitUntilEveryLinkAcceptsAsync(backAt, ClusterTimeout.Failover);
            await traffic.WaitForMoreAcceptedAsync(Links * 20, ClusterTimeout.Traffic);
            await traffic.StopProducingAsync(ClusterTimeout.Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(ClusterTimeout.Settle);
            output.WriteLine($"first 501 {refused.TotalMilliseconds:F0} ms after storage stopped; every link accepting "
                + $"{recovered.Max().TotalMilliseconds:F0} ms after it was back; {outcome}");

            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
        });
    }
}
