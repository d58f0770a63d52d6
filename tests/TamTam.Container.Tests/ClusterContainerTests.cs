using System.Diagnostics;
using TamTam.Container.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TamTam.Container.Tests;

/// <summary>
/// Three silo containers that form one cluster through Azurite on the host (membership in its table service, grain
/// state and link logs in its blob service), one SIGKILLed while clients on every silo send acknowledged traffic:
/// its links move to the other two, and every ACCEPTED message is still processed by its consumer, once.
/// </summary>
[Collection(SiloImageCollection.Name)]
public sealed class ClusterContainerTests(SiloImage image, ITestOutputHelper output)
{
    private const int Silos = 3;
    private const int Links = 9;
    private const int Window = 8;

    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Traffic = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Every_accepted_message_is_delivered_once_when_a_silo_container_of_three_is_killed_mid_traffic()
    {
        SiloContainerTests.SkipUnlessPodmanRuns(image, output);
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        string clusterId = "c" + Guid.NewGuid().ToString("N")[..20];
        var environment = new Dictionary<string, string>
        {
            ["TAMTAM__STORAGE__BACKEND"] = "blob",
            ["TAMTAM__STORAGE__BLOB__CONNECTIONSTRING"] = azurite.ConnectionString,
            ["TAMTAM__STORAGE__BLOB__CONTAINERNAME"] = clusterId,
            ["TAMTAM__STORAGE__BLOB__LEASEDURATION"] = "00:00:15",
            ["TAMTAM__CLUSTER__MODE"] = "azure-table",
            ["TAMTAM__CLUSTER__CLUSTERID"] = clusterId,
            ["TAMTAM__CLUSTER__SERVICEID"] = clusterId,
            ["TAMTAM__CLUSTER__ADVERTISEDADDRESS"] = "127.0.0.1",
            ["TAMTAM__CLUSTER__AZURETABLE__CONNECTIONSTRING"] = azurite.ConnectionString,
        };
        List<SiloContainer> silos = [.. Enumerable.Range(0, Silos).Select(i => new SiloContainer($"{clusterId}-{i}", environment))];
        try
        {
            // The first alone (it creates the membership table), then the others together.
            await silos[0].StartAsync();
            await Task.WhenAll(silos.Skip(1).Select(s => s.StartAsync()));

            await using ClusterTraffic traffic = await ClusterTraffic.OpenAsync([.. silos.Select(s => s.Uri)], Links, "container-kill").WaitAsync(Start);
            traffic.Start(Window);
            await traffic.WaitForMoreAcceptedAsync(Links * 50, Traffic);

            long killedAt = Stopwatch.GetTimestamp();
            await silos[1].KillAsync();

            IReadOnlyList<TimeSpan> recovery = await traffic.WaitUntilEveryLinkAcceptsAsync(killedAt, Failover);
            await traffic.WaitForMoreAcceptedAsync(Links * 20, Traffic);
            await traffic.StopProducingAsync(Traffic);
            TrafficOutcome outcome = await traffic.SettleAsync(Settle);
            output.WriteLine($"every link accepting again {recovery.Max().TotalMilliseconds:F0} ms after the kill; {outcome}");

            // Nothing accepted is lost or handed over twice, and every sender hears its message's final state.
            Assert.Equal(0, outcome.Lost);
            Assert.Equal(0, outcome.ProcessedTwice);
            Assert.Equal(0, outcome.WithoutFinalState);
            // A SEND answered 501 while its link's silo died may have been stored before it went (docs/protocol.md section
            // 8): the consumers may process a few more than the producers saw ACCEPTED, never fewer.
            Assert.True(outcome.Processed >= outcome.Accepted, $"processed {outcome.Processed} of {outcome.Accepted} accepted");
            Assert.DoesNotContain(outcome.FinalStates.Keys, state => state != "Delivered");
        }
        catch
        {
            silos.ForEach(s => output.WriteLine($"--- {s.Name} ---\n{s.Output}"));
            throw;
        }
        finally
        {
            foreach (SiloContainer silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
