using TamTam.Testing.Cluster;

namespace TamTam.Interchange.Tests.Infrastructure;

/// <summary>
/// The cloud interchange as a real process (<c>tamtam-silo.dll</c>, beside the test binaries), on a fixed TCP port and
/// data directory, so that a SIGKILLed silo comes back where the stations and nodes look for it.
/// </summary>
internal sealed class CloudSilo : IAsyncDisposable
{
    private readonly ClusterSilo _silo;
    private readonly string _data = Directory.CreateTempSubdirectory("tamtam-cloud-").FullName;

    private CloudSilo(params string[] settings)
    {
        int tcp = FreePorts.Next();
        _silo = new ClusterSilo(0, tcp,
        [
            $"--TamTam:Tcp:Port={tcp}",
            $"--TamTam:Http:Port={FreePorts.Next()}",
            $"--TamTam:DataPath={_data}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            "--TamTam:Interchange:OfferRetry=00:00:01",

            // A node whose connection ended (or whose silo was killed) gives its name back soon, so a test's node returns.
            "--TamTam:Gateway:SessionTimeout=00:00:01",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TamTam.Silo=Information",
            "--Logging:LogLevel:Orleans=Error",
            .. settings,
        ]);
    }

    public Uri Uri => _silo.Uri;

    public static async Task<CloudSilo> StartAsync(params string[] settings)
    {
        var silo = new CloudSilo(settings);
        await silo._silo.StartAsync();
        return silo;
    }

    /// <summary>SIGKILL, then the same executable on the same port and data again.</summary>
    public async Task KillAndRestartAsync()
    {
        await _silo.KillAsync();
        await _silo.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _silo.KillAsync();
        await _silo.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
