using Microsoft.Extensions.DependencyInjection;
using TamTam.Storage.Blob;
using TamTam.Storage.Health;
using TamTam.Storage.Hosting;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.Storage.Tests.Hosting;

[Collection(AzuriteCollection.Name)]
public sealed class StorageProbeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_local_backend_registers_a_probe_that_writes_under_its_root()
    {
        string root = Path.Combine(Path.GetTempPath(), "tamtam-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using ServiceProvider services = new ServiceCollection().AddLogging()
                .AddTamTamLocalStorage(o => o.RootPath = root).BuildServiceProvider();
            IStorageProbe probe = services.GetRequiredService<IStorageProbe>();

            Assert.IsType<LocalStorageProbe>(probe);
            Assert.True(await probe.IsWritableAsync(CancellationToken.None));
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_local_probe_fails_when_its_root_cannot_be_written()
    {
        // A file where the root directory should be: no directory can be created there, whatever the user.
        string blocker = Path.GetTempFileName();
        try
        {
            var probe = new LocalStorageProbe(new LocalStorageOptions { RootPath = Path.Combine(blocker, "data") });

            Assert.False(await probe.IsWritableAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task The_blob_backend_registers_a_probe_that_writes_to_its_container_and_leaves_nothing()
    {
        BlobStorageOptions options = azurite.NewOptions();
        await using ServiceProvider services = new ServiceCollection().AddLogging()
            .AddTamTamBlobStorage(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.ContainerName = options.ContainerName;
            })
            .BuildServiceProvider();
        var container = new Azure.Storage.Blobs.BlobContainerClient(options.ConnectionString, options.ContainerName);
        await container.CreateIfNotExistsAsync();
        IStorageProbe probe = services.GetRequiredService<IStorageProbe>();

        Assert.IsType<BlobStorageProbe>(probe);
        Assert.True(await probe.IsWritableAsync(CancellationToken.None));
        await foreach (Azure.Storage.Blobs.Models.BlobItem item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "probes/", CancellationToken.None))
        {
            Assert.Fail($"the probe left {item.Name} behind");
        }
    }

    [Fact]
    public async Task The_blob_probe_fails_when_the_container_does_not_exist()
    {
        BlobStorageOptions options = azurite.NewOptions();
        var probe = new BlobStorageProbe(options);

        Assert.False(await probe.IsWritableAsync(CancellationToken.None));
    }
}
