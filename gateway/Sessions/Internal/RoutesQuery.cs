using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Answers ROUTES (docs/protocol.md section 5.21) from the interchange: every route the token may see, sorted by link, as many
/// as fit one frame under the client's maximum body (then flagged TRUNCATED).
/// </summary>
internal static class RoutesQuery
{
    private const int CountLength = 2;

    public static async Task<OperationResult> AnswerAsync(GatewaySession session, uint correlation)
    {
        if (session.Grains is not { } grains)
        {
            return OperationResult.Fail(ErrorCode.Unavailable, "this gateway runs without a cluster: routes are unavailable");
        }

        RouteSummary[] routes = await grains.GetGrain<IInterchangeGrain>(IInterchangeGrain.ClusterKey).GetRoutesAsync().ConfigureAwait(false);
        string own = session.Link?.Link ?? string.Empty;
        var entries = new List<RouteEntry>(Math.Min(routes.Length, ushort.MaxValue));
        int length = CountLength;
        bool truncated = false;
        foreach (RouteSummary route in routes)
        {
            if (session.Access is { } access && !access.AllowsQuery(own, route.Link))
            {
                continue;
            }

            var entry = new RouteEntry(Utf8Text.From(route.Link), Utf8Text.From(route.Station), route.Learned, route.AtUs);
            int size = 2 + entry.Link.Utf8.Length + entry.Station.Utf8.Length + RoutesReportFrame.EntryFixedLength;
            if (entries.Count == ushort.MaxValue || length + size > session.Output.PeerMaxBody)
            {
                truncated = true;
                break;
            }

            entries.Add(entry);
            length += size;
        }

        await session.Output.WriteAsync(new RoutesReportFrame(entries, truncated), correlation, session.Closing).ConfigureAwait(false);
        return OperationResult.Ok;
    }
}
