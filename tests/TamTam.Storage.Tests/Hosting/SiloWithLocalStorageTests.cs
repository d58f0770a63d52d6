using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using TamTam.Storage.Hosting;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Hosting;

/// <summary>The registration against a real single silo on loopback.</summary>
public sealed class SiloWithLocalStorageTests
{
    [Fact]
    public async Task A_grain_state_survives_a_silo_restart_and_stale_temporary_files_are_swept_at_start()
    {
        using var root = new TempDirectory();

        using (var silo = StartSilo(root.Path))
        {
            await silo.StartAsync();
            var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("billing");
            Assert.Equal(1, await grain.IncrementAsync());
            Assert.Equal(2, await grain.IncrementAsync());
            await silo.StopAsync();
        }

        var stateDirectory = Directory.GetDirectories(Path.Combine(root.Path, LocalDirectoryGrainStorage.GrainsFolder)).Single();
        var leftover = Path.Combine(stateDirectory, "~interrupted.tmp");
        await File.WriteAllBytesAsync(leftover, [1]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - TimeSpan.FromHours(1));

        using (var silo = StartSilo(root.Path))
        {
            await silo.StartAsync();
            Assert.False(File.Exists(leftover));
            var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("billing");
            Assert.Equal(2, await grain.GetAsync());
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task A_silo_with_invalid_grain_storage_options_refuses_to_start_naming_the_key()
    {
        using var silo = StartSilo(rootPath: "  ");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => silo.StartAsync());

        Assert.Contains("LocalStorageOptions[Default].RootPath", error.Message, StringComparison.Ordinal);
    }

    private static IHost StartSilo(string rootPath)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePort(), FreePort())
            .AddLocalDirectoryGrainStorageAsDefault(o => o.RootPath = rootPath));
        return builder.Build();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
