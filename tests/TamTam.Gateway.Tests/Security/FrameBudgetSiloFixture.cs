using Microsoft.Extensions.DependencyInjection;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// A real interchange whose budget for unfinished frames is four frames of the largest size, so that a test can
/// reach it with a handful of connections. Its own data directory.
/// </summary>
public sealed class FrameBudgetSiloFixture : IAsyncLifetime
{
    public const long Budget = 4L * 1024 * 1024;

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"tamtam-budget-{Guid.NewGuid():N}");
    private TamTamSilo? _silo;

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public GatewaySessionHost Sessions => Silo.Services.GetRequiredService<GatewaySessionHost>();

    public async Task InitializeAsync()
    {
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={_dataPath}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Gateway:MaxUnfinishedFrameBytes={Budget}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ]).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FrameBudgetSiloCollection : ICollectionFixture<FrameBudgetSiloFixture>
{
    public const string Name = "frame-budget";
}
