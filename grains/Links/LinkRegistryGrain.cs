using TamTam.Interfaces.Links;

namespace TamTam.Grains.Links;

/// <summary>
/// The cluster's list of links (see <see cref="ILinkRegistryGrain"/>). A LINKS query asks every link it believes
/// active for its current figures, in parallel, and answers the others from their last report, so a query costs
/// one grain call per active link and no link is activated by it.
/// </summary>
/// <remarks>
/// Reentrant on purpose: a query waits on link grains that may, at the same moment, be reporting to the registry.
/// State changes happen between awaits only.
/// </remarks>
[Orleans.Concurrency.Reentrant]
public sealed class LinkRegistryGrain : Grain, ILinkRegistryGrain
{
    private readonly Dictionary<string, (LinkSummary Summary, bool Active)> _links = new(StringComparer.Ordinal);

    public Task ReportAsync(LinkSummary summary, bool active)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _links[summary.Link] = (summary, active);
        return Task.CompletedTask;
    }

    public async Task<LinkSummary[]> GetLinksAsync()
    {
        var known = _links.ToArray();
        var summaries = new LinkSummary[known.Length];
        var queries = new List<(int Index, Task<LinkSummary> Query)>();
        for (int i = 0; i < known.Length; i++)
        {
            summaries[i] = known[i].Value.Summary;
            if (known[i].Value.Active)
            {
                queries.Add((i, GrainFactory.GetGrain<ILinkGrain>(known[i].Key).GetSummaryAsync()));
            }
        }

        foreach ((int index, Task<LinkSummary> query) in queries)
        {
            try
            {
                summaries[index] = await query;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The link's last report stands: a LINKS answer must not fail because one link is recovering.
            }
        }

        Array.Sort(summaries, (a, b) => string.CompareOrdinal(a.Link, b.Link));
        return summaries;
    }
}
