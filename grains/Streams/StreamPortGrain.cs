using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using TamTam.Grains.Streams.Internal;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>
/// The sequencer and router of one (link, port) stream (docs/architecture.md, "Streaming mode"): it numbers
/// each published batch and pushes it to the relay of every silo whose sessions subscribe to the port — its own
/// silo's relay in-process, the others through <see cref="RelayRoute"/>s.
/// </summary>
/// <remarks>
/// <para>Not reentrant: batches are numbered in the order they are taken and handed to every route in that
/// order, so each subscriber sees consecutive sequences unless a packet is really lost on its way.</para>
/// <para>Placed on the silo of its first caller (the first subscriber's relay, or the first publisher): a publisher
/// there makes a local call, and that silo's subscribers are served without a hop.</para>
/// <para>No state is persisted: streaming mode is not durable. A new activation (after a silo failure) starts
/// again from sequence 1, which receivers see as a restart, and learns its relays again from their periodic
/// renewals.</para>
/// </remarks>
[PreferLocalPlacement]
public sealed class StreamPortGrain : Grain, IStreamPortGrain
{
    private readonly ILogger<StreamPortGrain> _logger;
    private readonly StreamMetrics _metrics;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalStreamRelay? _localRelay;
    private readonly SiloAddress _silo;
    private readonly Dictionary<SiloAddress, RelayRoute> _routes = [];
    private readonly Action<RelayRoute, Exception?, int> _routeGone;
    private RelayRoute[] _routeList = [];
    private ulong _next = 1;

    public StreamPortGrain(ILogger<StreamPortGrain> logger, StreamMetrics metrics, IClusterMembershipService membership,
        ILocalSiloDetails silo, IServiceProvider services)
    {
        _logger = logger;
        _metrics = metrics;
        _membership = membership;
        _silo = silo.SiloAddress;
        _localRelay = services.GetService<ILocalStreamRelay>();
        _routeGone = OnRouteGone;
    }

    public Task SubscribeAsync(IStreamRelay relay, SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(silo);
        if (_routes.TryGetValue(silo, out RelayRoute? route))
        {
            route.Renew(relay);
        }
        else
        {
            _routes[silo] = new RelayRoute(silo, relay, silo.Equals(_silo) ? _localRelay : null);
            _routeList = [.. _routes.Values];
            StreamLog.RelaySubscribed(_logger, this.GetPrimaryKeyString(), silo);
        }

        return Task.CompletedTask;
    }

    public Task<StreamPublishResult> PublishAsync(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return Task.FromResult(StreamPublishResult.Ok(_next));
        }

        DropDepartedSilos();
        RelayRoute[] routes = _routeList;
        foreach (RelayRoute route in routes)
        {
            if (!route.HasRoomFor(batch.Count))
            {
                // Number nothing, so receivers see no gap for packets that never entered the stream.
                string key = this.GetPrimaryKeyString();
                _metrics.Refused(batch.Count);
                StreamLog.RelayLagging(_logger, key, batch.Count, route.Silo, route.Backlog);
                return Task.FromResult(StreamPublishResult.Refused(ErrorCode.QuotaExceeded,
                    $"the stream of \"{key}\" is full: the subscribers of a silo lag by {route.Backlog} packets; publish again later"));
            }
        }

        ulong first = _next;
        batch.AssignSequences(first);
        _next += (ulong)batch.Count;
        foreach (RelayRoute route in routes)
        {
            route.Send(batch, _routeGone);
        }

        _metrics.Published(batch.Count);
        return Task.FromResult(StreamPublishResult.Ok(first));
    }

    /// <summary>Drops the routes to silos that membership declared dead or that are shutting down: no call waits for them.</summary>
    private void DropDepartedSilos()
    {
        if (_routeList.Length == 0 || (_routeList.Length == 1 && _routeList[0].Local is not null))
        {
            return;
        }

        ClusterMembershipSnapshot snapshot = _membership.CurrentSnapshot;
        foreach (RelayRoute route in _routeList)
        {
            if (route.Local is null && snapshot.GetSiloStatus(route.Silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            {
                Drop(route, "its silo has left the cluster", null, route.Close());
            }
        }
    }

    private void OnRouteGone(RelayRoute route, Exception? failure, int lost) =>
        Drop(route, failure is null ? "no subscriber left" : "its call failed", failure, lost);

    private void Drop(RelayRoute route, string reason, Exception? failure, int lost)
    {
        // A route replaced since (its relay dropped, then registered again) must not take its successor with it.
        if (!_routes.TryGetValue(route.Silo, out RelayRoute? current) || !ReferenceEquals(current, route))
        {
            return;
        }

        _routes.Remove(route.Silo);
        _routeList = [.. _routes.Values];
        if (lost > 0)
        {
            _metrics.RelayLost(lost);
        }

        StreamLog.RelayDropped(_logger, failure, this.GetPrimaryKeyString(), route.Silo, reason, lost);
    }
}
