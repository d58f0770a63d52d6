using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Storage.Blob;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// A link's log on the blob backend is held by a lease on its lock blob. A silo that stops gracefully gives the
/// lease back, so the next silo opens the link at once instead of after the lease's duration.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobLeaseReleaseTests(AzuriteFixture azurite)
{
    private const string Port = "jobs";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silo_stopped_gracefully_releases_its_links_log_lease_and_a_new_silo_serves_the_link_at_once(bool ownProcess)
    {
        using var data = new DataDirectory();
        BlobStorageOptions blob = azurite.NewOptions();
        string link = Links.Unique("lease");

        // In the test process (a host's DisposeAsync), or the executable stopped with SIGTERM as a service manager does.
        await using (RunningSilo first = await RunningSilo.StartAsync(ownProcess, data.Path, Backend(blob)))
        {
            await OpenLinkAsync(first.Uri, link, blob);
            await first.StopAsync();
        }

        var stopped = Stopwatch.StartNew();
        LeaseState[] leases = await LockLeasesAsync(blob);
        Assert.NotEmpty(leases);
        Assert.All(leases, state => Assert.NotEqual(LeaseState.Leased, state));

        // A SEND accepted by the new silo: it opened the link's log (took its lease) and appended to it.
        await using RunningSilo second = await RunningSilo.StartAsync(ownProcess, data.Path, Backend(blob));
        await using TamTamClient returning = await Nodes.JoinAsync(second.Uri, link, "sender");
        await returning.SendAsync(Port, Nodes.Payload(64)).Within();
        Assert.True(stopped.Elapsed < BlobStorageOptions.DefaultLeaseDuration,
            $"the link was served again {stopped.Elapsed} after the stop, not before the lease could have run out");
    }

    private static string[] Backend(BlobStorageOptions blob) =>
    [
        "--TamTam:Storage:Backend=blob",
        $"--TamTam:Storage:Blob:ConnectionString={blob.ConnectionString}",
        $"--TamTam:Storage:Blob:ContainerName={blob.ContainerName}",
    ];

    /// <summary>Binds a listener and sends one message, so that the link's log is open (and leased) on that silo.</summary>
    private static async Task OpenLinkAsync(Uri uri, string link, BlobStorageOptions blob)
    {
        await using TamTamClient listener = await Nodes.ListenAsync(uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(uri, link, "sender");
        await sender.SendAsync(Port, Nodes.Payload(64)).Within();
        Assert.Contains(await LockLeasesAsync(blob), state => state == LeaseState.Leased);
    }

    /// <summary>The lease state of every log's lock blob in the container.</summary>
    private static async Task<LeaseState[]> LockLeasesAsync(BlobStorageOptions blob)
    {
        var container = new BlobContainerClient(blob.ConnectionString, blob.ContainerName);
        var states = new List<LeaseState>();
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = BlobSegmentLogStore.LogsPrefix }))
        {
            if (item.Name.EndsWith("/.lock", StringComparison.Ordinal))
            {
                states.Add(item.Properties.LeaseState ?? LeaseState.Available);
            }
        }

        return [.. states];
    }

    /// <summary>A silo in the test process or in its own, stopped gracefully either way.</summary>
    private sealed class RunningSilo(Uri uri, Func<Task> stop, IAsyncDisposable silo) : IAsyncDisposable
    {
        public Uri Uri { get; } = uri;

        public static async Task<RunningSilo> StartAsync(bool ownProcess, string dataPath, string[] arguments)
        {
            if (ownProcess)
            {
                SiloProcess process = await SiloProcess.StartAsync(dataPath, arguments);
                return new RunningSilo(process.Uri, process.StopAsync, process);
            }

            InProcessSilo inProcess = await InProcessSilo.StartAsync(dataPath, arguments);
            return new RunningSilo(inProcess.Uri, inProcess.StopAsync, inProcess);
        }

        public Task StopAsync() => stop();

        public ValueTask DisposeAsync() => silo.DisposeAsync();
    }
}
