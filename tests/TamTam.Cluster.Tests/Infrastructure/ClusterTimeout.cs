namespace TamTam.Cluster.Tests.Infrastructure;

/// <summary>The bounds of the cluster tests: generous for a loaded 2-core machine, tight enough that a hang fails in well under a minute.</summary>
internal static class ClusterTimeout
{
    /// <summary>Opening the clients and links of a test.</summary>
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    /// <summary>A batch of traffic to flow while the cluster is healthy.</summary>
    public static readonly TimeSpan Traffic = TimeSpan.FromSeconds(45);

    /// <summary>Every link accepting again after a silo died (membership, lease handover, client resume).</summary>
    public static readonly TimeSpan Failover = TimeSpan.FromSeconds(60);

    /// <summary>Every accepted message processed and its final state at its producer.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    /// <summary>A silo's graceful drain after SIGTERM.</summary>
    public static readonly TimeSpan Drain = TimeSpan.FromSeconds(45);
}
