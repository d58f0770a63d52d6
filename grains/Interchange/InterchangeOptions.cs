namespace TamTam.Grains.Interchange;

/// <summary>
/// The orchestrators' interchange policy; bound from <c>TamTam:Interchange</c>. None of it travels in a packet: it is how
/// this interchange's orchestrators choose, and a station sees only its effects (docs/protocol.md section 5.18).
/// <see cref="Policy"/> says whether a known route is used (direct when known, the default) or every message rings first.
/// </summary>
public sealed record InterchangeOptions
{
    public const string Section = "TamTam:Interchange";

    /// <summary>The default policy: a known route is always used; the ring carries what has none.</summary>
    public const string DirectWhenKnown = "direct-when-known";

    /// <summary>Every roaming message rings, even when a route is known; a claim still records the route (ROUTES shows it).</summary>
    public const string RingFirst = "ring-first";

    /// <summary>How the orchestrators route a roaming message: <see cref="DirectWhenKnown"/> or <see cref="RingFirst"/>.</summary>
    public string Policy { get; init; } = DirectWhenKnown;

    /// <summary>True when <see cref="Policy"/> is <see cref="RingFirst"/>.</summary>
    public bool IsRingFirst => Policy == RingFirst;

    /// <summary>Passes a ring-forwarded message starts with (STATION_OFFER's <c>ttl</c>), 1 … 255.</summary>
    public int DefaultTtl { get; init; } = 8;

    /// <summary>How long a claimed route lasts without a new claim through it; registered routes last as long as their station's session.</summary>
    public TimeSpan RouteLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long after a station leaves (or an offer to it is lost) its messages are routed again.</summary>
    public TimeSpan OfferRetry { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a station may leave an offer unanswered before it counts as a STATION_PASS.</summary>
    public TimeSpan OfferTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
