using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using TamTam.Silo.Internal;

namespace TamTam.Silo.Http;

/// <summary>
/// What <c>GET /healthz/ready</c> checks: the silo is an active member of its cluster, the gateway listens (the host
/// has started and is not stopping, the wire protocol's port is bound), and the data directory takes a write.
/// </summary>
internal sealed class ReadinessProbe(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime,
    SiloEndpoints endpoints,
    SiloOptions options)
{
    private const string ProbeFileName = ".ready-probe";

    public async Task<ReadinessResponse> CheckAsync(CancellationToken cancellationToken)
    {
        bool cluster = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active;
        bool gateway = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
            && endpoints.Tcp?.IPEndPoint is { Port: > 0 };
        bool storage = await StorageWritableAsync(cancellationToken).ConfigureAwait(false);
        bool ready = cluster && gateway && storage;
        return new ReadinessResponse(ready ? "ready" : "not_ready", new ReadinessChecks(cluster, gateway, storage));
    }

    // A small write-and-remove in the data directory: a full disk, a read-only mount or lost permissions fail it.
    private async Task<bool> StorageWritableAsync(CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetFullPath(options.DataPath), ProbeFileName);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, [1], cancellationToken).ConfigureAwait(false);
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
