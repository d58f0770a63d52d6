using Microsoft.Extensions.Logging;
using TamTam.Client;

namespace TamTam.Testing.Cluster;

/// <summary>
/// Clients of a <see cref="SiloCluster"/> as an application runs them: they know every silo, start on the one they
/// are given, and when it dies or drains resume their session on another.
/// </summary>
internal static class ClusterClients
{
    /// <summary>Reconnection for failovers: quick at first, then patient for as long as a dead silo's links take to move.</summary>
    public static readonly ReconnectOptions Failover = new()
    {
        MaxAttempts = 200,
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Connects to the cluster, first trying <paramref name="endpoints"/>[<paramref name="first"/>] and then the others in order.</summary>
    public static ValueTask<TamTamClient> ConnectAsync(IReadOnlyList<Uri> endpoints, int first, ClientLogRecorder? log = null,
        string clientName = "tamtam-cluster-tests", int receiveBufferCapacity = 256)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Uri[] ordered = [.. endpoints.Skip(first), .. endpoints.Take(first)];
        return TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Endpoints = ordered,
            ClientName = clientName,
            Reconnect = Failover,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(60),
            ReceiveBufferCapacity = receiveBufferCapacity,
            LoggerFactory = log is null ? null : new LoggerFactory([log]),
        });
    }

    /// <summary>Connects (as <see cref="ConnectAsync"/>) and joins <paramref name="link"/> as <paramref name="node"/>.</summary>
    public static async Task<TamTamClient> JoinAsync(IReadOnlyList<Uri> endpoints, int first, string link, string node, ClientLogRecorder? log = null)
    {
        TamTamClient client = await ConnectAsync(endpoints, first, log).ConfigureAwait(false);
        try
        {
            await client.JoinAsync(link, node).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
