using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Silo.Internal;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>
/// What the dashboard asks the grains for each snapshot: the cluster's silos (Orleans' management grain), the links
/// (the link registry, as LINKS), each link's nodes and bindings, the transfers in flight, and the interchange's stations
/// and routes. Bounded: at most <see cref="MaxLinks"/> links are queried in detail and <see cref="MaxTransfers"/> transfers
/// listed. A part that fails is logged and shown empty; the rest of the snapshot stands.
/// </summary>
internal sealed class SnapshotSources(IGrainFactory grains, ILocalSiloDetails silo, ILogger<DashboardSnapshots> logger)
{
    /// <summary>Links whose nodes and ports a snapshot lists; the others show their counts only.</summary>
    public const int MaxLinks = 50;

    /// <summary>Transfers a snapshot lists.</summary>
    public const int MaxTransfers = 20;

    /// <summary>How long a dead silo stays listed after it was last seen alive.</summary>
    private static readonly TimeSpan DeadSiloShownFor = TimeSpan.FromMinutes(10);

    public SiloAddress Self => silo.SiloAddress;

    public async Task<DashboardSilo[]> SilosAsync(DateTimeOffset now)
    {
        try
        {
            MembershipEntry[] hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
            var silos = new List<DashboardSilo>(hosts.Length);
            foreach (MembershipEntry host in hosts)
            {
                if (host.Status == SiloStatus.Dead && now - new DateTimeOffset(host.IAmAliveTime.ToUniversalTime()) > DeadSiloShownFor)
                {
                    continue;
                }

                silos.Add(new DashboardSilo(host.SiloAddress.ToString(), host.SiloName ?? string.Empty, host.Status.ToString(),
                    new DateTimeOffset(host.StartTime.ToUniversalTime()), host.SiloAddress.Equals(silo.SiloAddress)));
            }

            silos.Sort(static (a, b) => string.CompareOrdinal(a.Address, b.Address));
            return [.. silos];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.DashboardPartFailed("the cluster's silos", e.Message);
            return [];
        }
    }

    public async Task<(DashboardLink[] Links, bool Truncated)> LinksAsync()
    {
        LinkSummary[] summaries;
        try
        {
            summaries = await grains.GetGrain<ILinkRegistryGrain>(ILinkRegistryGrain.ClusterKey).GetLinksAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.DashboardPartFailed("the link registry", e.Message);
            return ([], false);
        }

        var details = new Task<DashboardLink>[summaries.Length];
        for (int i = 0; i < summaries.Length; i++)
        {
            details[i] = i < MaxLinks ? LinkAsync(summaries[i]) : Task.FromResult(Bare(summaries[i]));
        }

        return (await Task.WhenAll(details), summaries.Length > MaxLinks);
    }

    public async Task<DashboardTransfer[]> TransfersAsync()
    {
        try
        {
            var listing = new Task<Guid[]>[ITransferRegistryGrain.PartitionCount];
            for (int i = 0; i < listing.Length; i++)
            {
                listing[i] = grains.GetGrain<ITransferRegistryGrain>(i).GetLiveAsync(MaxTransfers);
            }

            var ids = new List<Guid>();
            foreach (Guid[] live in await Task.WhenAll(listing))
            {
                ids.AddRange(live);
            }

            ids.Sort();
            if (ids.Count > MaxTransfers)
            {
                ids.RemoveRange(MaxTransfers, ids.Count - MaxTransfers);
            }

            var snapshots = new Task<TransferSnapshot>[ids.Count];
            for (int i = 0; i < ids.Count; i++)
            {
                snapshots[i] = grains.GetGrain<ITransferGrain>(ids[i]).GetSnapshotAsync();
            }

            TransferSnapshot[] read = await Task.WhenAll(snapshots);
            var transfers = new List<DashboardTransfer>(read.Length);
            for (int i = 0; i < read.Length; i++)
            {
                TransferSnapshot t = read[i];
                if (t.Phase is TransferPhase.Staging or TransferPhase.Committed or TransferPhase.Accepted)
                {
                    transfers.Add(new DashboardTransfer(ids[i], PhaseName(t.Phase), t.Descriptor?.TotalSize ?? 0, t.Descriptor?.PartCount ?? 0,
                        t.PartsStaged, new Dictionary<string, int>(t.PartsConfirmed, StringComparer.Ordinal)));
                }
            }

            return [.. transfers];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.DashboardPartFailed("the transfers in flight", e.Message);
            return [];
        }
    }

    public async Task<DashboardInterchange> InterchangeAsync()
    {
        try
        {
            return await InterchangeSource.ReadAsync(grains);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.DashboardPartFailed("the interchange's stations and routes", e.Message);
            return new DashboardInterchange(Available: false, [], []);
        }
    }

    private async Task<DashboardLink> LinkAsync(LinkSummary summary)
    {
        try
        {
            ILinkGrain link = grains.GetGrain<ILinkGrain>(summary.Link);
            Task<NodeSummary[]> nodes = link.GetNodesAsync();
            Task<PortSummary[]> ports = link.GetPortsAsync();
            NodeSummary[] nodeList = await nodes;
            PortSummary[] portList = await ports;
            var shownNodes = new DashboardNode[nodeList.Length];
            for (int i = 0; i < nodeList.Length; i++)
            {
                shownNodes[i] = new DashboardNode(nodeList[i].Node, nodeList[i].Online, nodeList[i].Pending,
                    RoundTripMs: nodeList[i].RttMicroseconds == 0 ? null : nodeList[i].RttMicroseconds / 1000.0);
            }

            var shownPorts = new DashboardPort[portList.Length];
            for (int i = 0; i < portList.Length; i++)
            {
                shownPorts[i] = new DashboardPort(portList[i].Port, ModeName(portList[i].Mode), portList[i].Subtree, portList[i].Nodes);
            }

            return new DashboardLink(summary.Link, summary.Nodes, summary.Sequence, shownNodes, shownPorts);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.DashboardPartFailed($"link \"{summary.Link}\"", e.Message);
            return Bare(summary);
        }
    }

    private static DashboardLink Bare(LinkSummary summary) => new(summary.Link, summary.Nodes, summary.Sequence, [], []);

    private static string ModeName(PortMode mode) => mode switch
    {
        PortMode.Unicast => "unicast",
        PortMode.Group => "group",
        PortMode.Broadcast => "broadcast",
        _ => mode.ToString(),
    };

    private static string PhaseName(TransferPhase phase) => phase switch
    {
        TransferPhase.Staging => "staging",
        TransferPhase.Committed => "committed",
        TransferPhase.Accepted => "accepted",
        _ => phase.ToString(),
    };
}
