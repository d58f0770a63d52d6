using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Storage.Blob;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Testing.Redis;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// A link's log on the blob backend is leased by the silo that has it open. When that silo is killed, the link opens on
/// another silo as soon as the cluster has declared the first dead (its lease is broken then), not after the lease.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LeaseHandoverTests(AzuriteFixture azurite, RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    private const string Port = "jobs";

    // The longest lease the service grants: the handover must not wait for it.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    // Failover (about 2 s with the default membership timings) plus a loaded machine's start of a new activation.
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_killed_silo_s_link_opens_on_another_silo_once_the_cluster_declares_it_dead_not_after_its_lease()
    {
        using var data = new DataDirectory();
        BlobStorageOptions blob = azurite.NewOptions();
        string[] arguments =
        [
            .. ClusterArguments.Redis(redis, RedisServerFixture.NewClusterId()),
            .. ClusterArguments.Blob(blob),
            $"--TamTam:Storage:Blob:LeaseDuration={Lease}",
        ];
        string link = Links.Unique("handover");

        await using SiloProcess first = await SiloProcess.StartAsync(data.Path, arguments);
        await using (TamTamClient listener = await Nodes.ListenAsync(first.Uri, link, "listener", Port))
        await using (TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender"))
        {
            await sender.SendAsync(Port, Nodes.Payload(64)).Within();
        }

        Assert.Contains(await LockLeasesAsync(blob), state => state == LeaseState.Leased);
        await using SiloProcess second = await SiloProcess.StartAsync(data.Path, arguments);

        await first.KillAsync();
        var killed = Stopwatch.StartNew();
        await SendThroughAsync(second.Uri, link, killed, second);
        output.WriteLine($"link accepting again on the second silo {killed.Elapsed.TotalSeconds:F1} s after the first was killed (lease {Lease.TotalSeconds} s)");
        Assert.True(killed.Elapsed < Handover, $"the link took {killed.Elapsed} to open on the second silo; its lease is {Lease}");
    }

    /// <summary>Joins and sends on <paramref name="uri"/> until a SEND is accepted; refusals while the link cannot open are expected.</summary>
    private static async Task SendThroughAsync(Uri uri, string link, Stopwatch since, SiloProcess silo)
    {
        Exception? last = null;
        while (since.Elapsed < Lease)
        {
            try
            {
                await using TamTamClient sender = await Nodes.JoinAsync(uri, link, "sender");
                await sender.SendAsync(Port, Nodes.Payload(64)).Within(TimeSpan.FromSeconds(5));
                return;
            }
            catch (Exception e) when (e is TamTamException or TimeoutException or IOException)
            {
                // Polled: nothing outside the silo says when the link can open again.
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }

        Assert.Fail($"no SEND was accepted within {Lease} of the kill; last: {last}\nsilo output:\n{silo.Output}");
    }

    private static async Task<List<LeaseState>> LockLeasesAsync(BlobStorageOptions blob)
    {
        var container = new BlobContainerClient(blob.ConnectionString, blob.ContainerName);
        var states = new List<LeaseState>();
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "logs/", CancellationToken.None))
        {
            if (item.Name.EndsWith("/.lock", StringComparison.Ordinal) && item.Properties.LeaseState is { } state)
            {
                states.Add(state);
            }
        }

        return states;
    }
}
