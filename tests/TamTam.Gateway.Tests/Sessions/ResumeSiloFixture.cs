using System.Globalization;
using System.Net;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Sessions;

/// <summary>A real interchange whose sessions wait <see cref="SessionTimeout"/> for a resume: short, so expiry is testable.</summary>
public sealed class ResumeSiloFixture : IAsyncLifetime
{
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(3);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "tamtam-gateway-tests", Guid.NewGuid().ToString("N"));
    private TamTamSilo? _silo;

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public IPEndPoint TcpEndPoint => Silo.TcpEndPoint;

    public async Task InitializeAsync()
    {
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={_data}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Gateway:SessionTimeout={SessionTimeout.ToString("c", CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ResumeSiloCollection : ICollectionFixture<ResumeSiloFixture>
{
    public const string Name = "resume silo";
}
