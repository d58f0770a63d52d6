namespace TamTam.Cluster.Tests.Infrastructure;

/// <summary>
/// Azurite (blob and table services) and redis-server for the whole test run; every cluster keeps to its own cluster
/// id and blob container, so clusters of different tests never meet. The storage outage test starts an Azurite of
/// its own, as it stops it.
/// </summary>
public sealed class ClusterBackends : IAsyncLifetime
{
    internal AzuriteServer Azurite { get; private set; } = null!;

    internal RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        Redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }

    internal Task<SiloCluster> StartClusterAsync(ClusterMode mode, int silos = 3, IReadOnlyList<string>? extraArguments = null) =>
        SiloCluster.StartAsync(mode, silos, Azurite, mode == ClusterMode.Redis ? Redis : null, extraArguments);
}

/// <summary>xunit finds collection definitions only in the test assembly itself.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterBackendsCollection : ICollectionFixture<ClusterBackends>
{
    public const string Name = "cluster backends";
}
