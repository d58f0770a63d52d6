using TamTam.Diagnostics;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;

namespace TamTam.Grains.Links;

// Reporting to the cluster's link registry (LINKS). Reports go out on activation, membership change and
// deactivation only: a LINKS query asks active links for their figures, so nothing is reported per message.
public sealed partial class LinkGrain
{
    /// <summary>Reports in the background; a lost report is repaired by the next one or by the next LINKS query.</summary>
    private void ReportToRegistry(bool active)
    {
        if (Ledger.Exists && !_warmUp)
        {
            BackgroundWork.Run(ReportToRegistryAsync(_core.Summary(), active), "report to the link registry", _logger);
        }
    }

    private async Task ReportToRegistryAsync(LinkSummary summary, bool active)
    {
        if (_warmUp)
        {
            return; // LINKS never lists a silo's warm-up link
        }

        try
        {
            await GrainFactory.GetGrain<ILinkRegistryGrain>(ILinkRegistryGrain.ClusterKey).ReportAsync(summary, active);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LinkLog.RegistryReportFailed(_logger, Link, e.Message);
        }
    }
}
