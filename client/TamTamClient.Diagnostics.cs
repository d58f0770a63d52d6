using TamTam.Client.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>Measures the round trip to the server (PING/PONG). The server's own PINGs are answered automatically.</summary>
    /// <returns>The time from writing PING to reading its PONG, on this machine's clock.</returns>
    /// <exception cref="TimeoutException">No PONG within <see cref="TamTamClientOptions.RequestTimeout"/>.</exception>
    public async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        Reply pong = await RequestAsync(new PingFrame(Timestamps.Now(_clock)), FrameType.Pong, cancellationToken).ConfigureAwait(false);
        long microseconds = Timestamps.Now(_clock) - pong.Timestamp;
        return TimeSpan.FromMicroseconds(Math.Max(0, microseconds));
    }

    /// <summary>Asks the server for its state and figures (HEALTH/HEALTH_REPORT).</summary>
    public async ValueTask<HealthReport> HealthAsync(CancellationToken cancellationToken = default)
    {
        Reply report = await RequestAsync(default(HealthFrame), FrameType.HealthReport, cancellationToken).ConfigureAwait(false);
        return (HealthReport)report.Data!;
    }

    /// <summary>
    /// The links of the interchange (LINKS/LINKS_REPORT): each with its member nodes and last assigned sequence,
    /// sorted by name, as far as the session's access token may see them.
    /// </summary>
    /// <exception cref="TimeoutException">No answer within <see cref="TamTamClientOptions.RequestTimeout"/>.</exception>
    public async ValueTask<LinkList> ListLinksAsync(CancellationToken cancellationToken = default)
    {
        Reply report = await RequestAsync(default(LinksFrame), FrameType.LinksReport, cancellationToken).ConfigureAwait(false);
        return (LinkList)report.Data!;
    }

    /// <summary>
    /// The member nodes of a link (NODES/NODES_REPORT): each with whether it is connected, its round trip and the
    /// deliveries waiting in its inbox. Needs no JOIN when <paramref name="link"/> is given.
    /// </summary>
    /// <param name="link">The link; <see langword="null"/> for the session's own link (206 NOT_JOINED before JOIN).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>An empty list for a link no node is a member of.</returns>
    /// <exception cref="TamTamException">203 when the access token may not see the link; 206 for the own link before JOIN.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="TamTamClientOptions.RequestTimeout"/>.</exception>
    public async ValueTask<NodeList> ListNodesAsync(string? link = null, CancellationToken cancellationToken = default)
    {
        Reply report = await RequestAsync(new NodesFrame(_names.Encode(link)), FrameType.NodesReport, cancellationToken).ConfigureAwait(false);
        return (NodeList)report.Data!;
    }
}
