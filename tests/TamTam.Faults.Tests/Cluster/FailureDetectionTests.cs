using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Testing.Redis;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// How long the cluster takes to declare a SIGKILLed silo dead: with TamTam's membership defaults (tuned for fast
/// failover) and with Orleans' own. A silo in the test process watches a silo process on Redis clustering die.
/// The figures go to docs/operations.md; the test prints them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FailureDetectionTests(AzuriteFixture azurite, RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    // Orleans 10's own ClusterMembershipOptions defaults, spelled out.
    private static readonly string[] OrleansDefaults =
    [
        "--TamTam:Cluster:Membership:ProbeTimeout=00:00:05",
        "--TamTam:Cluster:Membership:NumMissedProbesLimit=3",
        "--TamTam:Cluster:Membership:TableRefreshTimeout=00:01:00",
        "--TamTam:Cluster:Membership:IAmAliveTablePublishTimeout=00:05:00",
    ];

    [Fact]
    public async Task A_killed_silo_is_declared_dead_within_three_seconds_with_the_default_membership_timings()
    {
        TimeSpan detected = await MeasureAsync([]);

        Assert.True(detected < TimeSpan.FromSeconds(3), $"the killed silo was declared dead after {detected}");
    }

    [Fact]
    public async Task With_orleans_own_membership_timings_a_killed_silo_is_declared_dead_much_later()
    {
        TimeSpan detected = await MeasureAsync(OrleansDefaults);

        Assert.True(detected > TimeSpan.FromSeconds(5), $"the killed silo was declared dead after {detected}");
    }

    private async Task<TimeSpan> MeasureAsync(string[] membership)
    {
        using var data = new DataDirectory();
        string[] arguments = [.. ClusterArguments.Redis(redis, RedisServerFixture.NewClusterId()), .. ClusterArguments.Blob(azurite.NewOptions()), .. membership];
        await using InProcessSilo watcher = await InProcessSilo.StartAsync(data.Path, arguments);
        await using SiloProcess victim = await SiloProcess.StartAsync(data.Path, arguments);
        IClusterMembershipService cluster = watcher.Host.Services.GetRequiredService<IClusterMembershipService>();
        SiloAddress victimAddress = await WaitForAsync(cluster, s => s.Members.Values.FirstOrDefault(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(watcher.Address))?.SiloAddress,
            TimeSpan.FromSeconds(30));

        await victim.KillAsync();
        var killed = Stopwatch.StartNew();
        await WaitForAsync(cluster, s => s.GetSiloStatus(victimAddress) == SiloStatus.Dead ? victimAddress : null, TimeSpan.FromSeconds(90));
        TimeSpan detected = killed.Elapsed;
        output.WriteLine($"declared dead {detected.TotalSeconds:F2} s after SIGKILL ({(membership.Length == 0 ? "TamTam defaults" : "Orleans defaults")})");
        return detected;
    }

    private static async Task<SiloAddress> WaitForAsync(IClusterMembershipService cluster, Func<ClusterMembershipSnapshot, SiloAddress?> found, TimeSpan timeout)
    {
        if (found(cluster.CurrentSnapshot) is { } now)
        {
            return now;
        }

        using var cancel = new CancellationTokenSource(timeout);
        await foreach (ClusterMembershipSnapshot snapshot in cluster.MembershipUpdates.WithCancellation(cancel.Token))
        {
            if (found(snapshot) is { } address)
            {
                return address;
            }
        }

        throw new TimeoutException($"the membership did not change as awaited within {timeout}");
    }
}
