namespace TamTam.Testing.Cluster;

/// <summary>How the silos of a test cluster find each other (<c>TamTam:Cluster:Mode</c>).</summary>
public enum ClusterMode
{
    /// <summary>Orleans' localhost clustering: the first silo is the primary; it must not be the one killed.</summary>
    Localhost,

    /// <summary>The membership table in Azurite's table service.</summary>
    AzureTable,

    /// <summary>The membership table in <c>redis-server</c>.</summary>
    Redis,
}
