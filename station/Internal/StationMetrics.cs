using System.Diagnostics.Metrics;

namespace TamTam.Station.Internal;

/// <summary>The station's counters (meter <c>TamTam.Station</c>), documented in station/README.md.</summary>
internal static class StationMetrics
{
    private static readonly Meter Meter = new("TamTam.Station");

    /// <summary>Messages of local nodes sent upstream.</summary>
    public static readonly Counter<long> Forwarded = Meter.CreateCounter<long>("tamtam.station.forwarded", "{message}");

    /// <summary>Offers claimed for a hosted link (or bridged).</summary>
    public static readonly Counter<long> Claimed = Meter.CreateCounter<long>("tamtam.station.claimed", "{offer}");

    /// <summary>Offers passed on to the next station.</summary>
    public static readonly Counter<long> Passed = Meter.CreateCounter<long>("tamtam.station.passed", "{offer}");

    /// <summary>Deliveries from upstream handed to a hosted link.</summary>
    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("tamtam.station.delivered", "{message}");

    /// <summary>Upstream deliveries answered (ACK or NACK) with their local final state.</summary>
    public static readonly Counter<long> Settled = Meter.CreateCounter<long>("tamtam.station.settled", "{message}");
}
