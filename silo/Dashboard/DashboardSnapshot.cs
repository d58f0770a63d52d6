using System.Text.Json.Serialization;

namespace TamTam.Silo.Dashboard;

/// <summary>
/// One view of the interchange as the dashboard shows it, computed once per interval and shared by every viewer:
/// the body of <c>GET /dashboard/api/snapshot</c> and of each event of <c>GET /dashboard/api/events</c> (silo/README.md, "Dashboard").
/// Rates are per second over the interval before <see cref="At"/>; figures of the gateway and the streams are this silo's.
/// </summary>
public sealed record DashboardSnapshot(
    DateTimeOffset At,
    string Silo,
    long UptimeMs,
    DashboardGateway Gateway,
    DashboardRates Rates,
    DashboardRates[] History,
    DashboardStreams Streams,
    DashboardSilo[] Silos,
    DashboardLink[] Links,
    bool LinksTruncated,
    DashboardTransfer[] Transfers,
    DashboardInterchange Interchange);

/// <summary>The gateway's totals since start: open sessions, frames each way, ERROR frames sent.</summary>
public sealed record DashboardGateway(long Sessions, long FramesIn, long FramesOut, long Errors);

/// <summary>
/// Per second: SENDs received, DELIVERs sent, STREAM packets received from publishers and written to subscribers,
/// stream packets dropped (every reason).
/// </summary>
public sealed record DashboardRates(DateTimeOffset At, double MessagesIn, double MessagesOut, double PacketsIn, double PacketsOut, double PacketsDropped);

/// <summary>This silo's streams: subscriber backlog now, and totals since start of drops by reason, refusals and hold-backs.</summary>
public sealed record DashboardStreams(
    int Subscribers,
    long Backlog,
    long LargestBacklog,
    long DroppedSlowConsumer,
    long DroppedTooLarge,
    long DroppedTtl,
    long DroppedRelayLost,
    long Refused,
    long HoldBacks);

/// <summary>A silo of the cluster as Orleans' membership lists it.</summary>
public sealed record DashboardSilo(string Address, string Name, string Status, DateTimeOffset StartedAt, bool Self);

/// <summary>A link, its nodes and its port bindings; <see cref="NodeList"/> and <see cref="Ports"/> are empty when not queried.</summary>
public sealed record DashboardLink(string Name, uint Nodes, ulong Sequence, DashboardNode[] NodeList, DashboardPort[] Ports);

/// <summary>
/// A node: whether a session holds it now, its inbox depth (deliveries not yet confirmed), and its round trip when
/// the link knows one (<see langword="null"/> otherwise).
/// </summary>
public sealed record DashboardNode(string Name, bool Online, int Inbox, double? RoundTripMs);

/// <summary>A port binding: mode (<c>unicast</c>, <c>group</c>, <c>broadcast</c>), subtree, and the nodes holding it.</summary>
public sealed record DashboardPort(string Port, string Mode, bool Subtree, string[] Nodes);

/// <summary>
/// A parted transfer in flight: its phase (<c>staging</c>, <c>committed</c>, <c>accepted</c>), size, the parts
/// uploaded, and per receiver the parts it confirmed.
/// </summary>
public sealed record DashboardTransfer(Guid Id, string Phase, long TotalSize, int PartCount, int PartsStaged, Dictionary<string, int> PartsConfirmed);

/// <summary>Stations and routes of the interchange; <see cref="Available"/> is false when the registry could not be asked.</summary>
public sealed record DashboardInterchange(bool Available, DashboardStation[] Stations, DashboardRoute[] Routes);

/// <summary>
/// A registered station: the links it registered, since when (its registration on its current session), and its place in
/// the ring (1 is offered first; the ring is the stations in byte order of their names).
/// </summary>
public sealed record DashboardStation(string Name, string[] Links, DateTimeOffset ConnectedSince, int RingOrder);

/// <summary>
/// A route: link → station, how it was learned (<c>registered</c> or <c>claimed</c>), when (registration or last claim), and
/// when it was last used (that, or the last message its link accepted for it, reported every few seconds).
/// </summary>
public sealed record DashboardRoute(string Link, string Station, string Learned, DateTimeOffset At, DateTimeOffset LastUsed);

/// <summary>A refusal of the dashboard's API: <c>{"error":"…"}</c>.</summary>
public sealed record DashboardRefusal(string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DashboardSnapshot))]
[JsonSerializable(typeof(DashboardRefusal))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
