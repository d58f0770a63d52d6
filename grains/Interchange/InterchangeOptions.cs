namespace TamTam.Grains.Interchange;

/// <summary>How a roaming message is routed (docs/architecture.md, "Interchange").</summary>
public enum InterchangeRouting
{
    /// <summary>A known route is used: DELIVER to its station without an offer; the ring only when none is known.</summary>
    DirectWhenKnown,

    /// <summary>
    /// Every roaming message of a link without a registered route is ring-forwarded, even when a claim taught a route (the
    /// route is still learned and listed by ROUTES).
    /// </summary>
    RingFirst,
}

/// <summary>
/// The orchestrators' interchange policy; bound from <c>TamTam:Interchange</c>. None of it travels in a packet: it is how
/// this interchange's orchestrators choose, and a station sees only its effects (docs/protocol.md section 5.18).
/// </summary>
public sealed record InterchangeOptions
{
    public const string Section = "TamTam:Interchange";

    /// <summary>Direct when a route is known (the default), or ring first.</summary>
    public InterchangeRouting Routing { get; init; } = InterchangeRouting.DirectWhenKnown;

    /// <summary>Passes a ring-forwarded message starts with (STATION_OFFER's <c>ttl</c>), 1 … 255.</summary>
    public int DefaultTtl { get; init; } = 8;

    /// <summary>How long a claimed route lasts without a new claim through it; registered routes last as long as their station's session.</summary>
    public TimeSpan RouteLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long after a station leaves (or an offer to it is lost) its messages are routed again.</summary>
    public TimeSpan OfferRetry { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a station may leave an offer unanswered before it counts as a STATION_PASS.</summary>
    public TimeSpan OfferTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
