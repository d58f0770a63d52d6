using System.Diagnostics.Metrics;
using TamTam.Gateway.Diagnostics;
using TamTam.Grains.Streams;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>
/// Running totals the dashboard turns into rates, read from this host's own instruments (<c>TamTam.Gateway</c>,
/// <c>TamTam.Streams</c>) through a <see cref="MeterListener"/>: the gateway and the grains keep no figures for the
/// dashboard, and another host's instruments (tests run several silos in one process) are told apart by their
/// meter's scope, the host's <see cref="IMeterFactory"/>. The gateway's frame counters are observable: their totals are
/// collected (<see cref="MeterListener.RecordObservableInstruments"/>) each time a figure is read.
/// </summary>
internal sealed class DashboardCounters : IDisposable
{
    private const string FrameTypeTag = "tamtam.frame.type";
    private const string ReasonTag = "tamtam.reason";

    private readonly IMeterFactory _meters;
    private readonly MeterListener _listener;
    private readonly long[] _totals = new long[(int)Total.Count];

    public DashboardCounters(IMeterFactory meters)
    {
        _meters = meters;
        _listener = new MeterListener { InstrumentPublished = Publish };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    private enum Total
    {
        None = -1,
        MessagesIn,
        MessagesOut,
        PacketsIn,
        PacketsOut,
        PacketsRefused,
        HoldBacks,
        DroppedSlowConsumer,
        DroppedTooLarge,
        DroppedTtl,
        DroppedRelayLost,
        Count,
    }

    /// <summary>SEND frames received: messages offered by this silo's nodes.</summary>
    public long MessagesIn => Read(Total.MessagesIn);

    /// <summary>DELIVER frames sent: messages handed to this silo's nodes (redeliveries too).</summary>
    public long MessagesOut => Read(Total.MessagesOut);

    /// <summary>STREAM frames received from publishers.</summary>
    public long PacketsIn => Read(Total.PacketsIn);

    /// <summary>STREAM packets written to subscribers.</summary>
    public long PacketsOut => Read(Total.PacketsOut);

    /// <summary>STREAM frames answered with an ERROR (302, 305, 501).</summary>
    public long PacketsRefused => Read(Total.PacketsRefused);

    /// <summary>Pauses of publishers because a subscriber lagged.</summary>
    public long HoldBacks => Read(Total.HoldBacks);

    /// <summary>Packets not written to one subscriber, by the reason tag of <c>tamtam.streams.packets.dropped</c>.</summary>
    public (long SlowConsumer, long TooLarge, long Ttl, long RelayLost) Dropped =>
        (Read(Total.DroppedSlowConsumer), Read(Total.DroppedTooLarge), Read(Total.DroppedTtl), Read(Total.DroppedRelayLost));

    public void Dispose() => _listener.Dispose();

    private long Read(Total total)
    {
        if (total is Total.MessagesIn or Total.MessagesOut or Total.PacketsIn)
        {
            _listener.RecordObservableInstruments();
        }

        return Volatile.Read(ref _totals[(int)total]);
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        if (!ReferenceEquals(instrument.Meter.Scope, _meters))
        {
            return;
        }

        bool wanted = instrument.Meter.Name switch
        {
            GatewayMetrics.MeterName => instrument.Name is "tamtam.gateway.frames.in" or "tamtam.gateway.frames.out",
            StreamMetrics.MeterName => instrument.Name is "tamtam.streams.packets.delivered" or "tamtam.streams.packets.dropped"
                or "tamtam.streams.refusals" or "tamtam.streams.holdbacks",
            _ => false,
        };
        if (wanted)
        {
            listener.EnableMeasurementEvents(instrument, this);
        }
    }

    private static void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        Total total = TotalOf(instrument.Name, tags);
        if (total == Total.None)
        {
            return;
        }

        // An observable counter reports its total so far; the others report each increment.
        long[] totals = ((DashboardCounters)state!)._totals;
        if (instrument.IsObservable)
        {
            Volatile.Write(ref totals[(int)total], value);
        }
        else
        {
            Interlocked.Add(ref totals[(int)total], value);
        }
    }

    private static Total TotalOf(string instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) => instrument switch
    {
        "tamtam.gateway.frames.in" => Tag(tags, FrameTypeTag) switch
        {
            "SEND" => Total.MessagesIn,
            "STREAM" => Total.PacketsIn,
            _ => Total.None,
        },
        "tamtam.gateway.frames.out" => Tag(tags, FrameTypeTag) == "DELIVER" ? Total.MessagesOut : Total.None,
        "tamtam.streams.packets.delivered" => Total.PacketsOut,
        "tamtam.streams.refusals" => Total.PacketsRefused,
        "tamtam.streams.holdbacks" => Total.HoldBacks,
        "tamtam.streams.packets.dropped" => Tag(tags, ReasonTag) switch
        {
            "slow_consumer" => Total.DroppedSlowConsumer,
            "too_large" => Total.DroppedTooLarge,
            "ttl" => Total.DroppedTtl,
            _ => Total.DroppedRelayLost,
        },
        _ => Total.None,
    };

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
