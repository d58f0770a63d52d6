using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Gateway.Streams.Internal;

namespace TamTam.Gateway.Streams;

/// <summary>
/// The gateway's part of streaming mode: this silo's <see cref="StreamRelay"/> (the registry of the sessions'
/// stream bindings, which the port grains push batches to) and the delivery-side instruments on the meter
/// <c>TamTam.Streams</c>:
/// <list type="bullet">
/// <item><c>tamtam.streams.packets.delivered</c> (counter, <c>{packet}</c>): STREAM frames written to subscribed sessions.</item>
/// <item><c>tamtam.streams.packets.dropped</c> (counter, <c>{packet}</c>, tag <c>tamtam.reason</c>): packets not written to one
/// subscriber — <c>slow_consumer</c> (its session already buffers <see cref="SessionStreamInbox.MaxBufferedPackets"/> unsent packets, or <see cref="SessionStreamInbox.MaxBufferedBytes"/> bytes of them),
/// <c>too_large</c> (a packet above the subscriber's negotiated max_body) or <c>ttl</c> (a pass would take its TTL to 0; the sender
/// is answered 305); the port grains add <c>relay_lost</c>. The receiver sees each but the last as a sequence gap.</item>
/// <item><c>tamtam.streams.refusals</c> (counter, <c>{packet}</c>): STREAM frames answered with an ERROR (302 port full, 305 TTL, 501 unavailable); the silo counts port refusals also as <c>tamtam.streams.packets.refused</c>.</item>
/// <item><c>tamtam.streams.acks</c> (counter, <c>{ack}</c>): STREAM_ACK frames received from receivers.</item>
/// <item><c>tamtam.streams.holdbacks</c> (counter, <c>{pause}</c>): pauses of a publishing session before a publish, because a
/// subscriber that keeps up lagged by <see cref="SessionStreams.HoldBackAbove"/> packets or more.</item>
/// </list>
/// </summary>
public sealed class GatewayStreams
{
    private readonly IServiceProvider _services;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _acks;
    private readonly Counter<long> _holdBacks;
    private readonly Lazy<StreamRelay?> _relay;

    public GatewayStreams(IServiceProvider services, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _services = services;
        _relay = new Lazy<StreamRelay?>(CreateRelay);
        Meter meter = meterFactory.Create("TamTam.Streams");
        _delivered = meter.CreateCounter<long>("tamtam.streams.packets.delivered", "{packet}", "STREAM frames written to subscribed sessions.");
        _dropped = meter.CreateCounter<long>("tamtam.streams.packets.dropped", "{packet}", "Packets not written to one subscriber (reason tag).");
        _refused = meter.CreateCounter<long>("tamtam.streams.refusals", "{packet}", "STREAM frames answered with an ERROR (302 port full, 305 TTL, 501 unavailable).");
        _acks = meter.CreateCounter<long>("tamtam.streams.acks", "{ack}", "STREAM_ACK frames received.");
        _holdBacks = meter.CreateCounter<long>("tamtam.streams.holdbacks", "{pause}", "Pauses of a publishing session because a subscriber lagged.");
    }

    /// <summary>This silo's relay, or <see langword="null"/> for a gateway hosted without a silo (nothing is then received).</summary>
    internal StreamRelay? Relay => _relay.Value;

    /// <summary>How far this silo's subscribers are behind now; empty for a gateway hosted without a silo.</summary>
    public StreamBacklog Backlog() => Relay?.Backlog() ?? default;

    internal SessionStreams Open(GatewaySession session, ILogger logger) => new(session, this, logger);

    internal void Delivered(int packets) => _delivered.Add(packets);

    internal void Dropped(int packets, string reason) => _dropped.Add(packets, new KeyValuePair<string, object?>("tamtam.reason", reason));

    internal void Refused(int packets) => _refused.Add(packets);

    internal void Acknowledged() => _acks.Add(1);

    internal void HeldBack() => _holdBacks.Add(1);

    private StreamRelay? CreateRelay() =>
        _services.GetService<IGrainFactory>() is { } grains && _services.GetService<ILocalSiloDetails>() is { } silo
            ? new StreamRelay(grains, silo.SiloAddress)
            : null;
}
