using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using TamTam.Gateway.Sessions;
using TamTam.Silo.Internal;
using TamTam.Storage.Health;

namespace TamTam.Silo.Http;

/// <summary>
/// What <c>GET /healthz/ready</c> checks: the silo is an active member of its cluster, the gateway listens (the host
/// has started and is not stopping or draining, the wire protocol's port is bound), and the storage backend in use (local directory or blob container) takes a write.
/// </summary>
internal sealed class ReadinessProbe(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime,
    SiloEndpoints endpoints,
    IStorageProbe storage,
    GatewaySessionHost sessions)
{
    public async Task<ReadinessResponse> CheckAsync(CancellationToken cancellationToken)
    {
        bool cluster = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active;
        bool gateway = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested && !sessions.IsDraining
            && endpoints.Tcp?.IPEndPoint is { Port: > 0 };
        bool writable = await storage.IsWritableAsync(cancellationToken).ConfigureAwait(false);
        bool ready = cluster && gateway && writable;
        return new ReadinessResponse(ready ? "ready" : "not_ready", new ReadinessChecks(cluster, gateway, writable));
    }
}
