using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Answers LINKS (docs/protocol.md section 5.17) from the cluster's link registry: every link the token may
/// query, sorted by name, as many as fit one frame under the client's maximum body (then flagged TRUNCATED).
/// </summary>
internal static class LinksQuery
{
    // count (u16) in front of the entries; each entry is a str8 name, nodes u32 and sequence u64.
    private const int CountLength = 2;
    private const int EntryFixedLength = 1 + 4 + 8;

    public static async Task<OperationResult> AnswerAsync(GatewaySession session, uint correlation)
    {
        if (session.Grains is not { } grains)
        {
            return OperationResult.Fail(ErrorCode.Unavailable, "this gateway runs without a cluster: links are unavailable");
        }

        LinkSummary[] links = await grains.GetGrain<ILinkRegistryGrain>(ILinkRegistryGrain.ClusterKey).GetLinksAsync().ConfigureAwait(false);
        string own = session.Link?.Link ?? string.Empty;
        var entries = new List<LinkEntry>(Math.Min(links.Length, ushort.MaxValue));
        int length = CountLength;
        bool truncated = false;
        foreach (LinkSummary link in links)
        {
            if (session.Access is { } access && !access.AllowsQuery(own, link.Link))
            {
                continue;
            }

            var entry = new LinkEntry(Utf8Text.From(link.Link), link.Nodes, link.Sequence);
            int size = EntryFixedLength + entry.Link.Utf8.Length;
            if (entries.Count == ushort.MaxValue || length + size > session.Output.PeerMaxBody)
            {
                truncated = true;
                break;
            }

            entries.Add(entry);
            length += size;
        }

        await session.Output.WriteAsync(new LinksReportFrame(entries, truncated), correlation, session.Closing).ConfigureAwait(false);
        return OperationResult.Ok;
    }
}
