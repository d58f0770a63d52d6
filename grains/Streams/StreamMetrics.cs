using System.Diagnostics.Metrics;

namespace TamTam.Grains.Streams;

/// <summary>
/// Streaming mode's port-side instruments on the meter <c>TamTam.Streams</c>:
/// <list type="bullet">
/// <item><c>tamtam.streams.packets.published</c> (counter, <c>{packet}</c>): packets numbered and routed by a port grain.</item>
/// <item><c>tamtam.streams.packets.refused</c> (counter, <c>{packet}</c>): packets a port refused because a relay lagged too far (the publisher got 302).</item>
/// <item><c>tamtam.streams.packets.dropped</c> with <c>tamtam.reason</c> = <c>relay_lost</c>: packets that were on their way
/// to a relay the port dropped (its silo failed or did not answer); the relay's subscribers see them as a sequence gap.
/// For grains subscribed through the <c>tamtam</c> stream provider the reasons are <c>slow_consumer</c> (more than
/// 65,536 packets waited for the grain), <c>consumer_failed</c> (its observer threw, or the grain could not be reached)
/// and <c>no_observer</c> (the grain attached no observer to its subscription).</item>
/// </list>
/// The gateway adds the delivery side on the same meter and the same <c>tamtam.streams.packets.dropped</c> instrument.
/// </summary>
public sealed class StreamMetrics
{
    /// <summary>The meter's name, for exporters and <c>dotnet-counters</c>.</summary>
    public const string MeterName = "TamTam.Streams";

    private readonly Counter<long> _published;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _dropped;

    public StreamMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("tamtam.streams.packets.published", "{packet}", "Packets numbered and routed by a port grain.");
        _refused = meter.CreateCounter<long>("tamtam.streams.packets.refused", "{packet}", "Packets a port refused because a relay lagged too far.");

        // The same instrument as the gateway's (same name, unit and description): the meter hands out one counter.
        _dropped = meter.CreateCounter<long>("tamtam.streams.packets.dropped", "{packet}", "Packets not written to one subscriber (reason tag).");
    }

    internal void Published(int packets) => _published.Add(packets);

    internal void Refused(int packets) => _refused.Add(packets);

    internal void ConsumerDropped(int packets, string reason) => _dropped.Add(packets, new KeyValuePair<string, object?>("tamtam.reason", reason));

    internal void RelayLost(int packets) => _dropped.Add(packets, new KeyValuePair<string, object?>("tamtam.reason", "relay_lost"));
}
