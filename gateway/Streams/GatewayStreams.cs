using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams;

/// <summary>
/// The gateway's access to streaming mode: the cluster's port streams (the memory streams provider
/// <see cref="StreamNames.Provider"/> a silo configures) and the delivery-side instruments on the meter
/// <c>TamTam.Streams</c>:
/// <list type="bullet">
/// <item><c>tamtam.streams.packets.delivered</c> (counter, <c>{packet}</c>): STREAM frames written to subscribed sessions.</item>
/// <item><c>tamtam.streams.packets.dropped</c> (counter, <c>{packet}</c>, tag <c>tamtam.reason</c>): packets not written to one
/// subscriber — <c>slow_consumer</c> (its session already buffers <see cref="SessionStreams.MaxBufferedPackets"/> unsent packets) or
/// <c>ttl</c> (a pass would take its TTL to 0; the sender is answered 305). The receiver sees each of the former as a sequence gap.</item>
/// <item><c>tamtam.streams.refusals</c> (counter, <c>{packet}</c>): STREAM frames answered with an ERROR (302 queue full, 305 TTL, 501 unavailable); the silo counts queue refusals also as <c>tamtam.streams.packets.refused</c>.</item>
/// <item><c>tamtam.streams.acks</c> (counter, <c>{ack}</c>): STREAM_ACK frames received from receivers.</item>
/// </list>
/// </summary>
public sealed class GatewayStreams
{
    private readonly IServiceProvider _services;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _acks;
    private IStreamProvider? _provider;
    private IGrainFactory? _grains;

    public GatewayStreams(IServiceProvider services, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _services = services;
        Meter meter = meterFactory.Create("TamTam.Streams");
        _delivered = meter.CreateCounter<long>("tamtam.streams.packets.delivered", "{packet}", "STREAM frames written to subscribed sessions.");
        _dropped = meter.CreateCounter<long>("tamtam.streams.packets.dropped", "{packet}", "Packets not written to one subscriber (reason tag).");
        _refused = meter.CreateCounter<long>("tamtam.streams.refusals", "{packet}", "STREAM frames answered with an ERROR (302 queue full, 305 TTL, 501 unavailable).");
        _acks = meter.CreateCounter<long>("tamtam.streams.acks", "{ack}", "STREAM_ACK frames received.");
    }

    /// <summary>The port streams, or <see langword="null"/> when the host configured no stream provider (STREAM is then 501).</summary>
    internal IStreamProvider? Provider => _provider ??= _services.GetKeyedService<IStreamProvider>(StreamNames.Provider);

    internal IGrainFactory? Grains => _grains ??= _services.GetService<IGrainFactory>();

    internal SessionStreams Open(GatewaySession session, ILogger logger) => new(session, this, logger);

    internal void Delivered(int packets) => _delivered.Add(packets);

    internal void Dropped(int packets, string reason) => _dropped.Add(packets, new KeyValuePair<string, object?>("tamtam.reason", reason));

    internal void Refused(int packets) => _refused.Add(packets);

    internal void Acknowledged() => _acks.Add(1);
}
