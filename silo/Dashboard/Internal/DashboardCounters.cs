using System.Diagnostics.Metrics;
using TamTam.Gateway.Diagnostics;
using TamTam.Grains.Streams;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>
/// Running totals the dashboard turns into rates, read from this host's own instruments (<c>TamTam.Gateway</c>,
/// <c>TamTam.Streams</c>) through a <see cref="MeterListener"/>: the gateway and the grains keep no figures for the
/// dashboard, and another host's instruments (tests run several silos in one process) are told apart by their
/// meter's scope, the host's <see cref="IMeterFactory"/>.
/// </summary>
internal sealed class DashboardCounters : IDisposable
{
    private const string FrameTypeTag = "tamtam.frame.type";
    private const string ReasonTag = "tamtam.reason";

    private readonly IMeterFactory _meters;
    private readonly MeterListener _listener;
    private long _messagesIn;
    private long _messagesOut;
    private long _packetsIn;
    private long _packetsOut;
    private long _packetsRefused;
    private long _holdBacks;
    private long _droppedSlowConsumer;
    private long _droppedTooLarge;
    private long _droppedTtl;
    private long _droppedRelayLost;

    public DashboardCounters(IMeterFactory meters)
    {
        _meters = meters;
        _listener = new MeterListener { InstrumentPublished = Publish };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>SEND frames received: messages offered by this silo's nodes.</summary>
    public long MessagesIn => Volatile.Read(ref _messagesIn);

    /// <summary>DELIVER frames sent: messages handed to this silo's nodes (redeliveries too).</summary>
    public long MessagesOut => Volatile.Read(ref _messagesOut);

    /// <summary>STREAM frames received from publishers.</summary>
    public long PacketsIn => Volatile.Read(ref _packetsIn);

    /// <summary>STREAM packets written to subscribers.</summary>
    public long PacketsOut => Volatile.Read(ref _packetsOut);

    /// <summary>STREAM frames answered with an ERROR (302, 305, 501).</summary>
    public long PacketsRefused => Volatile.Read(ref _packetsRefused);

    /// <summary>Pauses of publishers because a subscriber lagged.</summary>
    public long HoldBacks => Volatile.Read(ref _holdBacks);

    /// <summary>Packets not written to one subscriber, by the reason tag of <c>tamtam.streams.packets.dropped</c>.</summary>
    public (long SlowConsumer, long TooLarge, long Ttl, long RelayLost) Dropped =>
        (Volatile.Read(ref _droppedSlowConsumer), Volatile.Read(ref _droppedTooLarge), Volatile.Read(ref _droppedTtl),
            Volatile.Read(ref _droppedRelayLost));

    public void Dispose() => _listener.Dispose();

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
        var counters = (DashboardCounters)state!;
        switch (instrument.Name)
        {
            case "tamtam.gateway.frames.in":
                switch (Tag(tags, FrameTypeTag))
                {
                    case "SEND":
                        Interlocked.Add(ref counters._messagesIn, value);
                        break;
                    case "STREAM":
                        Interlocked.Add(ref counters._packetsIn, value);
                        break;
                }

                break;
            case "tamtam.gateway.frames.out" when Tag(tags, FrameTypeTag) == "DELIVER":
                Interlocked.Add(ref counters._messagesOut, value);
                break;
            case "tamtam.streams.packets.delivered":
                Interlocked.Add(ref counters._packetsOut, value);
                break;
            case "tamtam.streams.refusals":
                Interlocked.Add(ref counters._packetsRefused, value);
                break;
            case "tamtam.streams.holdbacks":
                Interlocked.Add(ref counters._holdBacks, value);
                break;
            case "tamtam.streams.packets.dropped":
                switch (Tag(tags, ReasonTag))
                {
                    case "slow_consumer":
                        Interlocked.Add(ref counters._droppedSlowConsumer, value);
                        break;
                    case "too_large":
                        Interlocked.Add(ref counters._droppedTooLarge, value);
                        break;
                    case "ttl":
                        Interlocked.Add(ref counters._droppedTtl, value);
                        break;
                    default:
                        Interlocked.Add(ref counters._droppedRelayLost, value);
                        break;
                }

                break;
        }
    }

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
