using System.Diagnostics.Metrics;

namespace TamTam.Grains.Interchange;

/// <summary>
/// The interchange's instruments on the meter <c>TamTam.Interchange</c> (docs/metrics.md):
/// <list type="bullet">
/// <item><c>tamtam.interchange.offers</c> (counter, <c>{offer}</c>): STATION_OFFERs made (one per ring visit).</item>
/// <item><c>tamtam.interchange.passes</c> (counter, <c>{pass}</c>): ring passes, STATION_PASS or an offer left unanswered.</item>
/// <item><c>tamtam.interchange.claims</c> (counter, <c>{claim}</c>): offers claimed.</item>
/// <item><c>tamtam.interchange.no_route</c> (counter, <c>{message}</c>): ring-forwarded messages ended NO_ROUTE (ttl 0 or a full turn).</item>
/// <item><c>tamtam.interchange.promotions</c> (counter, <c>{route}</c>): routes learned from a claim: the link's next messages go direct.</item>
/// <item><c>tamtam.interchange.invalidations</c> (counter, <c>{route}</c>): routes dropped, tagged <c>tamtam.reason</c> = <c>left</c> or <c>expired</c>.</item>
/// <item><c>tamtam.interchange.streams.not_forwarded</c> (counter, <c>{packet}</c>): stream copies not sent to a station because their ttl ran out.</item>
/// </list>
/// </summary>
public sealed class InterchangeMetrics
{
    /// <summary>The meter's name, for exporters and <c>dotnet-counters</c>.</summary>
    public const string MeterName = "TamTam.Interchange";

    private readonly Counter<long> _offers;
    private readonly Counter<long> _passes;
    private readonly Counter<long> _claims;
    private readonly Counter<long> _noRoute;
    private readonly Counter<long> _promotions;
    private readonly Counter<long> _invalidations;
    private readonly Counter<long> _streamsNotForwarded;

    public InterchangeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _offers = meter.CreateCounter<long>("tamtam.interchange.offers", "{offer}", "STATION_OFFERs made, one per ring visit.");
        _passes = meter.CreateCounter<long>("tamtam.interchange.passes", "{pass}", "Ring passes: STATION_PASS, or an offer left unanswered.");
        _claims = meter.CreateCounter<long>("tamtam.interchange.claims", "{claim}", "Offers claimed by a station.");
        _noRoute = meter.CreateCounter<long>("tamtam.interchange.no_route", "{message}", "Ring-forwarded messages ended NO_ROUTE.");
        _promotions = meter.CreateCounter<long>("tamtam.interchange.promotions", "{route}", "Routes learned from a claim: later messages go direct.");
        _invalidations = meter.CreateCounter<long>("tamtam.interchange.invalidations", "{route}", "Routes dropped (reason tag).");
        _streamsNotForwarded = meter.CreateCounter<long>("tamtam.interchange.streams.not_forwarded", "{packet}",
            "Stream copies not sent to a station because their ttl ran out.");
    }

    internal void Offered() => _offers.Add(1);

    internal void Passed() => _passes.Add(1);

    internal void Claimed() => _claims.Add(1);

    internal void NoRoute() => _noRoute.Add(1);

    internal void Promoted() => _promotions.Add(1);

    internal void Invalidated(string reason) => _invalidations.Add(1, new KeyValuePair<string, object?>("tamtam.reason", reason));

    /// <summary>Stream copies the interchange did not send to a station of the ring: their ttl would have reached 0.</summary>
    public void StreamsNotForwarded(int packets) => _streamsNotForwarded.Add(packets);
}
