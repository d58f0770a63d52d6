using TamTam.Protocol;

namespace TamTam.Station;

/// <summary>
/// What a station hosts and where it reaches its interchanges. Every setting has a default but <see cref="Name"/> and
/// <see cref="Links"/>; <see cref="Validate"/> names the first one out of range.
/// </summary>
public sealed record StationOptions
{
    /// <summary>The station's name at its interchanges (STATION_REGISTER's <c>station</c>): a protocol name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// The links the station hosts, each an independent transfer station with its own durable log. Local nodes may join
    /// only these; a message to any other link goes upstream.
    /// </summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>Where the hosted links keep their logs, statuses and payloads, and the station its upstream journal.</summary>
    public string DataPath { get; init; } = "./station-data";

    /// <summary>The address the local listeners bind: <c>localhost</c>, <c>127.0.0.1</c>, <c>0.0.0.0</c>, ….</summary>
    public string ListenAddress { get; init; } = "localhost";

    /// <summary>The wire protocol over TCP for local nodes; 0 picks a free port (read it back from <see cref="TamTamStation.TcpEndPoint"/>).</summary>
    public int TcpPort { get; init; } = 7520;

    /// <summary>HTTP (WebSocket <c>/ws</c>, health, metrics, dashboard) for local nodes and operators; 0 picks a free port.</summary>
    public int HttpPort { get; init; } = 7580;

    /// <summary>A Unix domain socket for local nodes, or empty for none.</summary>
    public string UnixPath { get; init; } = string.Empty;

    /// <summary>
    /// The embedded silo's own ports (silo-to-silo and Orleans gateway), which must differ from any other silo's on this
    /// machine; 0 for the gateway port turns it off (the default: nothing outside the process needs it).
    /// </summary>
    public int SiloPort { get; init; } = 11121;

    /// <summary>The embedded silo's Orleans gateway port; 0 (the default) turns it off.</summary>
    public int OrleansGatewayPort { get; init; }

    /// <summary>The interchanges the station joins; with two or more it bridges them. May be empty: local links only.</summary>
    public IReadOnlyList<StationUpstream> Upstreams { get; init; } = [];

    /// <summary>
    /// True (the default): STATION_REGISTER names the hosted links, so every interchange routes to them directly from the
    /// start. False: the station registers with no links and is found through the ring — it claims the offers for its links,
    /// and each claim teaches the interchange a route (docs/protocol.md section 5.18). Such a station cannot send upstream
    /// (a SEND with STATION must name a registered link): its nodes' messages beyond it are refused with 203.
    /// </summary>
    public bool RegisterLinks { get; init; } = true;

    /// <summary>
    /// When the station answers a DELIVER from an interchange. <see langword="true"/> (the default): once the message has its
    /// final state in the hosted link — ACK when DELIVERED (every local recipient acknowledged it), NACK otherwise — so the
    /// sender's DELIVERED means its receiver did the work. <see langword="false"/>: ACK as soon as the hosted link has
    /// stored it (docs/protocol.md section 5.18's minimum), which frees the interchange's delivery window at once but tells
    /// the sender only that the station has it.
    /// </summary>
    public bool AcknowledgeWhenFinal { get; init; } = true;

    /// <summary>How long the station waits between attempts to reach an interchange that is down, at first and at most.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two attempts to reach an interchange (the delay doubles up to it).</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a SEND upstream may wait for its ACCEPTED before the local sender is told 501 (send it again).</summary>
    public TimeSpan UpstreamSendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Further configuration of the embedded silo (<c>--TamTam:Links:DefaultTtl=…</c>, <c>--TamTam:Security:…</c>), added after
    /// the station's own, so they win.
    /// </summary>
    public IReadOnlyList<string> SiloArguments { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!IsName(Name))
        {
            throw new ArgumentException($"the station name \"{Name}\" is not a protocol name (1-64 bytes, no space, ':' or '/')", nameof(Name));
        }

        if (Links.Count == 0)
        {
            throw new ArgumentException("a station hosts at least one link", nameof(Links));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string link in Links)
        {
            if (!IsName(link))
            {
                throw new ArgumentException($"the link name \"{link}\" is not a protocol name", nameof(Links));
            }

            if (!seen.Add(link))
            {
                throw new ArgumentException($"the link \"{link}\" is named twice", nameof(Links));
            }
        }

        if (string.IsNullOrWhiteSpace(DataPath))
        {
            throw new ArgumentException("the data directory is empty", nameof(DataPath));
        }

        CheckPort(TcpPort, nameof(TcpPort), allowZero: true);
        CheckPort(HttpPort, nameof(HttpPort), allowZero: true);
        CheckPort(SiloPort, nameof(SiloPort), allowZero: false);
        CheckPort(OrleansGatewayPort, nameof(OrleansGatewayPort), allowZero: true);
        foreach (StationUpstream upstream in Upstreams)
        {
            upstream.Validate();
        }

        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
        {
            throw new ArgumentException("the reconnect delay must be positive and at most the maximum delay", nameof(ReconnectDelay));
        }

        if (UpstreamSendTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the upstream send timeout must be positive", nameof(UpstreamSendTimeout));
        }
    }

    private static bool IsName(string value)
    {
        try
        {
            _ = Utf8Text.Name(value);
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    private static void CheckPort(int port, string name, bool allowZero)
    {
        if (port < (allowZero ? 0 : 1) || port > 65535)
        {
            throw new ArgumentException($"{name} {port} is not a port", name);
        }
    }
}
