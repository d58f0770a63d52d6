using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using TamTam.Storage.Blob;
using TamTam.Storage.Hosting;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.Storage.Tests.Hosting;

/// <summary>The blob registration against a real single silo on loopback and Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiloWithBlobStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_grain_state_survives_a_silo_restart_through_orleans_blob_provider_and_the_silo_creates_its_container()
    {
        var options = azurite.NewOptions();

        using (var silo = BuildSilo(options))
        {
            await silo.StartAsync();
            Assert.True((await new BlobContainerClient(options.ConnectionString, options.ContainerName).ExistsAsync()).Value);
            var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("billing");
            Assert.Equal(1, await grain.IncrementAsync());
            Assert.Equal(2, await grain.IncrementAsync());
            await silo.StopAsync();
        }

        // Orleans' provider names the blob itself, at the container's root (TamTam's own provider used grains/).
        var names = new List<string>();
        await foreach (var item in new BlobContainerClient(options.ConnectionString, options.ContainerName).GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        Assert.Contains(names, n => n.Contains("billing", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal));

        using (var silo = BuildSilo(options))
        {
            await silo.StartAsync();
            var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("billing");
            Assert.Equal(2, await grain.GetAsync());
            Assert.Equal(3, await grain.IncrementAsync());
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task A_silo_with_no_storage_account_refuses_to_start_naming_the_key()
    {
        using var silo = BuildSilo(new BlobStorageOptions());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => silo.StartAsync());

        Assert.Contains("BlobStorageOptions[Default].ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static IHost BuildSilo(BlobStorageOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePort(), FreePort())
            .AddBlobGrainStorageAsDefault(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.ContainerName = options.ContainerName;
            }));
        return builder.Build();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
