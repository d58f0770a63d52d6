using Orleans.Concurrency;
using TamTam.Interfaces.Links;

namespace TamTam.Interfaces.Interchange;

/// <summary>
/// The interchange's station registry, ring order and route table (docs/architecture.md, "Interchange"): one activation
/// per cluster, keyed <see cref="ClusterKey"/>. Registrations and routes belong to station sessions and live in memory:
/// a station that reconnects registers again (docs/protocol.md section 5.18).
/// </summary>
[Alias("tamtam.IInterchangeGrain")]
public interface IInterchangeGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    /// <summary>
    /// STATION_REGISTER: registers <paramref name="station"/> with a registered route for each of <paramref name="links"/>
    /// (one observer per link), all or nothing. 205 when the name or a link is taken (another station, or a link hosted in the
    /// cloud), 501 when a link could not be asked.
    /// </summary>
    [Alias("register")]
    Task<OperationResult> RegisterAsync(StationAttachment station, HostedLink[] links);

    /// <summary>The station's session ended: the station and every route through it are dropped.</summary>
    [Alias("leave")]
    Task LeaveAsync(string station, Guid attachmentId);

    /// <summary>
    /// A claim taught a route: <paramref name="link"/> is hosted by the claiming station. False when that station's session is
    /// not registered (any more): the link then treats the claim as an offer lost.
    /// </summary>
    [Alias("learn-route")]
    Task<bool> LearnRouteAsync(string link, StationAttachment station, ILinkObserver observer);

    /// <summary>The ring: the registered stations in byte order of their names, less the one that registered <paramref name="sourceLink"/>.</summary>
    [Alias("ring"), AlwaysInterleave]
    Task<StationAttachment[]> GetRingAsync(string sourceLink);

    /// <summary>The route to <paramref name="link"/>, or null when none is known.</summary>
    [Alias("route-of"), AlwaysInterleave]
    Task<StationRoute?> GetRouteAsync(string link);

    /// <summary>
    /// Where stream packets to <paramref name="link"/> go: the station of its route, or the whole ring when no route is known
    /// (docs/protocol.md section 5.18, "Streams"). The caller leaves links hosted in the cloud out of the ring itself.
    /// </summary>
    [Alias("stream-targets"), AlwaysInterleave]
    Task<StreamTargets> GetStreamTargetsAsync(string link);

    /// <summary>Whether any station is registered: with none, a message to a link nobody joined is refused at once (300).</summary>
    [Alias("has-stations"), AlwaysInterleave]
    Task<bool> HasStationsAsync();

    /// <summary>Every known route, sorted by link, for ROUTES and the dashboard.</summary>
    [Alias("routes"), AlwaysInterleave]
    Task<RouteSummary[]> GetRoutesAsync();

    /// <summary>
    /// Link <paramref name="link"/> accepted messages for <paramref name="station"/>'s route, the last at <paramref name="atUs"/>:
    /// the route's last use, for the dashboard. Reported every few seconds at most while messages flow; ignored when the route
    /// goes through another station now.
    /// </summary>
    [Alias("route-used"), AlwaysInterleave]
    Task RouteUsedAsync(string link, string station, long atUs);

    /// <summary>Every registered station, sorted by name, for the dashboard.</summary>
    [Alias("stations"), AlwaysInterleave]
    Task<StationSummary[]> GetStationsAsync();
}
