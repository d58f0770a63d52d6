namespace TamTam.Interfaces.Links;

/// <summary>
/// The cluster's list of links, for LINKS. Link orchestrators report to it when they activate, when their
/// membership changes and when they deactivate — never per message; a LINKS query asks the active links for
/// their current figures and answers the others from their last report.
/// </summary>
/// <remarks>One activation for the cluster, keyed <see cref="ClusterKey"/>. Its list lives in memory: after its silo is
/// lost it fills again as links activate or change membership.</remarks>
[Alias("tamtam.ILinkRegistryGrain")]
public interface ILinkRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the cluster's one registry.</summary>
    public const long ClusterKey = 0;

    /// <summary>A link's figures changed, or its activation started (<paramref name="active"/>) or ended.</summary>
    [Alias("report")]
    Task ReportAsync(LinkSummary summary, bool active);

    /// <summary>Every known link, sorted by name, with current figures for the active ones.</summary>
    [Alias("links")]
    Task<LinkSummary[]> GetLinksAsync();
}
