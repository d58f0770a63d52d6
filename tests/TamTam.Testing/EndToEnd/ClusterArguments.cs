using TamTam.Storage.Blob;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Testing.Redis;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The command-line arguments that put a test silo into a multi-host cluster mode on loopback: the membership store
/// (Redis or Azurite's table endpoint), a cluster id of the test's own, the loopback address advertised to the other
/// silos (never the host's network address), and the shared blob storage those modes need.
/// </summary>
internal static class ClusterArguments
{
    /// <summary><c>TamTam:Cluster:Mode=redis</c> on <paramref name="redis"/>, cluster <paramref name="clusterId"/>.</summary>
    public static string[] Redis(RedisServerFixture redis, string clusterId) =>
    [
        "--TamTam:Cluster:Mode=redis",
        $"--TamTam:Cluster:Redis:ConnectionString={redis.ConnectionString}",
        $"--TamTam:Cluster:ClusterId={clusterId}",
        "--TamTam:Cluster:AdvertisedAddress=127.0.0.1",
    ];

    /// <summary><c>TamTam:Cluster:Mode=azure-table</c> on Azurite's table endpoint, in table <paramref name="tableName"/>.</summary>
    public static string[] AzureTable(AzuriteFixture azurite, string clusterId, string tableName) =>
    [
        "--TamTam:Cluster:Mode=azure-table",
        $"--TamTam:Cluster:AzureTable:ConnectionString={azurite.ConnectionString}",
        $"--TamTam:Cluster:AzureTable:TableName={tableName}",
        $"--TamTam:Cluster:ClusterId={clusterId}",
        "--TamTam:Cluster:AdvertisedAddress=127.0.0.1",
    ];

    /// <summary><c>TamTam:Storage:Backend=blob</c> on <paramref name="blob"/>'s account and container.</summary>
    public static string[] Blob(BlobStorageOptions blob) =>
    [
        "--TamTam:Storage:Backend=blob",
        $"--TamTam:Storage:Blob:ConnectionString={blob.ConnectionString}",
        $"--TamTam:Storage:Blob:ContainerName={blob.ContainerName}",
    ];
}
