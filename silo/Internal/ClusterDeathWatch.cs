using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Sessions;

namespace TamTam.Silo.Internal;

/// <summary>
/// Watches the cluster's membership and, when another silo is declared dead, has every session of this silo's gateway
/// join its link again (<see cref="GatewaySessionHost.RejoinLinks"/>). The links that lived on the dead silo come back
/// on a live one knowing none of their nodes' connections; without this, a node connected here would stay unknown to
/// its link until the client reconnected, its statuses held and its inbox waiting. With it, the clients of live silos
/// keep their connections through another silo's death.
/// </summary>
internal sealed class ClusterDeathWatch(IClusterMembershipService membership, ILocalSiloDetails local, GatewaySessionHost gateway,
    ILogger<ClusterDeathWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        bool first = true;
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken).ConfigureAwait(false))
            {
                foreach ((SiloAddress address, ClusterMember member) in snapshot.Members)
                {
                    // The first view may hold deaths from before this silo started (older generations of restarted silos).
                    if (member.Status == SiloStatus.Dead && dead.Add(address) && !first && !address.Equals(local.SiloAddress))
                    {
                        logger.SiloDied(address.ToParsableString(), gateway.RejoinLinks($"silo {address.ToParsableString()} died"));
                    }
                }

                first = false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
