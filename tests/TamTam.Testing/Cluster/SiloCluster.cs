using System.Globalization;

namespace TamTam.Testing.Cluster;

/// <summary>
/// Silo processes on loopback that form one cluster: grain state and link logs in Azurite's blob service (one
/// container for the cluster), membership as <see cref="ClusterMode"/> says. Each silo keeps its ports, so a killed
/// or drained silo can be started again where it was.
/// </summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<string> _dataPaths = [];

    private SiloCluster(ClusterMode mode, string clusterId, IReadOnlyList<ClusterSilo> silos)
    {
        Mode = mode;
        ClusterId = clusterId;
        Silos = silos;
    }

    public ClusterMode Mode { get; }

    /// <summary>The Orleans cluster id (and the blob container's name): unique per cluster, so clusters sharing Azurite or Redis never meet.</summary>
    public string ClusterId { get; }

    public IReadOnlyList<ClusterSilo> Silos { get; }

    /// <summary>Every silo's client endpoint, in silo order.</summary>
    public IReadOnlyList<Uri> Endpoints => [.. Silos.Select(s => s.Uri)];

    /// <summary>
    /// Starts <paramref name="count"/> silos and waits until every one listens. <paramref name="redis"/> is needed in
    /// <see cref="ClusterMode.Redis"/>; <paramref name="extraArguments"/> go to every silo.
    /// </summary>
    public static async Task<SiloCluster> StartAsync(ClusterMode mode, int count, AzuriteServer azurite, RedisServer? redis = null,
        IReadOnlyList<string>? extraArguments = null)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        if (mode == ClusterMode.Redis && redis is null)
        {
            throw new ArgumentException("Redis clustering needs a redis-server", nameof(redis));
        }

        string clusterId = "c" + Guid.NewGuid().ToString("N")[..20];
        int primarySiloPort = 0;
        var silos = new List<ClusterSilo>();
        var cluster = new SiloCluster(mode, clusterId, silos);
        for (int i = 0; i < count; i++)
        {
            int siloPort = FreePorts.Next();
            primarySiloPort = i == 0 ? siloPort : primarySiloPort;
            string dataPath = Path.Combine(Path.GetTempPath(), "tamtam-cluster-tests", clusterId, i.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dataPath);
            cluster._dataPaths.Add(dataPath);
            int tcpPort = FreePorts.Next();
            List<string> arguments =
            [
                $"--TamTam:Tcp:Port={tcpPort}",
                "--TamTam:Http:Port=0",
                $"--TamTam:DataPath={dataPath}",
                "--TamTam:Storage:Backend=blob",
                $"--TamTam:Storage:Blob:ConnectionString={azurite.ConnectionString}",
                $"--TamTam:Storage:Blob:ContainerName={clusterId}",
                "--TamTam:Storage:Blob:LeaseDuration=00:00:15",
                .. ClusteringArguments(mode, clusterId, siloPort, primarySiloPort, i == 0, azurite, redis),
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",

                // Orleans warns at start about server GC and, on a loaded machine, about its watchdog.
                "--Logging:LogLevel:Orleans=Error",

                // The startup line carries the endpoints.
                "--Logging:LogLevel:TamTam.Silo=Information",
                .. extraArguments ?? [],
            ];
            silos.Add(new ClusterSilo(i, tcpPort, arguments));
        }

        try
        {
            // The first alone (the primary in localhost mode; it creates the membership table otherwise), then the others together.
            await silos[0].StartAsync().ConfigureAwait(false);
            await Task.WhenAll(silos.Skip(1).Select(s => s.StartAsync())).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every silo's last lines of output, for failure messages.</summary>
    public string DescribeOutputs() =>
        string.Join("\n", Silos.Select(s => $"--- silo {s.Index} ({(s.IsRunning ? "running" : "stopped")}) ---\n{s.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (ClusterSilo silo in Silos)
        {
            await silo.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(Path.Combine(Path.GetTempPath(), "tamtam-cluster-tests", ClusterId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static IEnumerable<string> ClusteringArguments(ClusterMode mode, string clusterId, int siloPort, int primarySiloPort, bool primary,
        AzuriteServer azurite, RedisServer? redis)
    {
        yield return $"--TamTam:Cluster:ClusterId={clusterId}";
        yield return $"--TamTam:Cluster:ServiceId={clusterId}";
        yield return $"--TamTam:Cluster:SiloPort={siloPort}";
        yield return "--TamTam:Cluster:GatewayPort=0";
        switch (mode)
        {
            case ClusterMode.Localhost:
                yield return "--TamTam:Cluster:Mode=localhost";
                if (!primary)
                {
                    yield return $"--TamTam:Cluster:PrimarySiloPort={primarySiloPort}";
                }

                break;
            case ClusterMode.AzureTable:
                yield return "--TamTam:Cluster:Mode=azure-table";
                yield return "--TamTam:Cluster:AdvertisedAddress=127.0.0.1";
                yield return $"--TamTam:Cluster:AzureTable:ConnectionString={azurite.ConnectionString}";
                break;
            case ClusterMode.Redis:
                yield return "--TamTam:Cluster:Mode=redis";
                yield return "--TamTam:Cluster:AdvertisedAddress=127.0.0.1";
                yield return $"--TamTam:Cluster:Redis:ConnectionString={redis!.ConnectionString}";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }
    }
}
