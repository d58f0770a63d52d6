using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// A silo's grain subscribers of port streams, beside its gateway's sessions: the explicit subscriptions grains made on
/// this silo (<c>SubscribeAsync</c>), and the grains implicitly subscribed to a stream's link. The silo's relay hands
/// it every batch it receives (<see cref="SiloStreamRelay"/>); it offers the batch to each subscribed grain's
/// <see cref="ConsumerRoute"/>. Implicit subscribers are served by the relay of the port grain's own silo only, so each
/// gets every packet once, whatever the number of silos.
/// </summary>
/// <remarks>
/// An explicit subscription lives in the memory of the silo it was made on, as long as that silo runs: it outlives the
/// grain's activation (the next packet activates the grain again, wherever it is placed), not the silo. A new
/// subscription tells the port grain before <c>SubscribeAsync</c> returns, so a packet published afterwards reaches it.
/// </remarks>
internal sealed class GrainSubscribers
{
    private readonly IGrainFactory _grains;
    private readonly SiloAddress _silo;
    private readonly ImplicitSubscribers _implicit;
    private readonly StreamMetrics _metrics;
    private readonly ILogger<GrainSubscribers> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (string Key, GrainId Grain, IStreamPacketConsumer? Consumer)> _subscriptions = [];
    private readonly ConcurrentDictionary<string, ConsumerRoute[]> _explicit = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConsumerRoute[]> _implicitRoutes = new(StringComparer.Ordinal);
    private readonly Action<ConsumerRoute> _gone;

    public GrainSubscribers(IGrainFactory grains, ILocalSiloDetails silo, ImplicitSubscribers implicitSubscribers, StreamMetrics metrics,
        ILogger<GrainSubscribers> logger)
    {
        _grains = grains;
        _silo = silo.SiloAddress;
        _implicit = implicitSubscribers;
        _metrics = metrics;
        _logger = logger;
        _gone = Gone;
    }

    /// <summary>
    /// Adds <paramref name="grain"/>'s subscription <paramref name="subscription"/> to the stream <paramref name="key"/>,
    /// delivered through <paramref name="consumer"/> (an Orleans client's consumer object) or else the grain's extension;
    /// completes once the port grain knows this silo wants the stream.
    /// </summary>
    public async Task SubscribeAsync(string key, Guid subscription, GrainId grain, IStreamPacketConsumer? consumer = null)
    {
        lock (_gate)
        {
            _subscriptions[subscription] = (key, grain, consumer);
            Rebuild(key);
        }

        await _grains.GetGrain<IStreamPortGrain>(key).SubscribeAsync(_silo).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    /// <summary>Ends the subscription <paramref name="subscription"/>; true if this silo held it.</summary>
    public bool Unsubscribe(Guid subscription)
    {
        lock (_gate)
        {
            if (!_subscriptions.Remove(subscription, out (string Key, GrainId Grain, IStreamPacketConsumer? Consumer) held))
            {
                return false;
            }

            Rebuild(held.Key);
            return true;
        }
    }

    /// <summary>The subscriptions <paramref name="grain"/> holds on this silo to the stream <paramref name="key"/>.</summary>
    public List<Guid> SubscriptionsOf(GrainId grain, string key)
    {
        List<Guid> found = [];
        lock (_gate)
        {
            foreach (KeyValuePair<Guid, (string Key, GrainId Grain, IStreamPacketConsumer? Consumer)> entry in _subscriptions)
            {
                if (entry.Value.Grain == grain && entry.Value.Key == key)
                {
                    found.Add(entry.Key);
                }
            }
        }

        return found;
    }

    /// <summary>Whether this silo holds the subscription <paramref name="subscription"/>.</summary>
    public bool Holds(Guid subscription)
    {
        lock (_gate)
        {
            return _subscriptions.ContainsKey(subscription);
        }
    }

    /// <summary>
    /// Offers <paramref name="batch"/> to the grains subscribed explicitly on this silo and, with
    /// <paramref name="withImplicit"/> (the port grain's own silo), to the implicit subscribers; false when none.
    /// </summary>
    public bool Deliver(StreamBatch batch, bool withImplicit)
    {
        bool wanted = false;
        if (_explicit.TryGetValue(batch.Key, out ConsumerRoute[]? routes))
        {
            foreach (ConsumerRoute route in routes)
            {
                route.Offer(batch);
            }

            wanted = routes.Length > 0;
        }

        if (withImplicit)
        {
            foreach (ConsumerRoute route in ImplicitRoutes(batch.Key))
            {
                route.Offer(batch);
                wanted = true;
            }
        }

        return wanted;
    }

    /// <summary>Whether a grain subscriber of this silo (and implicit ones, with <paramref name="withImplicit"/>) wants <paramref name="key"/>.</summary>
    public bool Wants(string key, bool withImplicit) =>
        (_explicit.TryGetValue(key, out ConsumerRoute[]? routes) && routes.Length > 0)
        || (withImplicit && _implicit.Any(StreamNames.Parse(key).Link));

    private ConsumerRoute[] ImplicitRoutes(string key)
    {
        if (_implicitRoutes.TryGetValue(key, out ConsumerRoute[]? routes))
        {
            return routes;
        }

        StreamId stream = PortStreamId.FromKey(key);
        IReadOnlyList<(Guid Subscription, GrainId Grain)> subscribers = _implicit.Of(stream);
        routes = new ConsumerRoute[subscribers.Count];
        for (int i = 0; i < routes.Length; i++)
        {
            (Guid subscription, GrainId grain) = subscribers[i];
            routes[i] = new ConsumerRoute(key, grain, ConsumerOf(grain), _metrics, _logger, null) { Subscriptions = [subscription] };
        }

        return _implicitRoutes.GetOrAdd(key, routes);
    }

    // Under _gate: one route per grain subscribed to the stream, carrying all its subscriptions to it.
    private void Rebuild(string key)
    {
        ConsumerRoute[] previous = _explicit.TryGetValue(key, out ConsumerRoute[]? known) ? known : [];
        Dictionary<GrainId, (IStreamPacketConsumer? Consumer, List<Guid> Ids)> byGrain = [];
        foreach (KeyValuePair<Guid, (string Key, GrainId Grain, IStreamPacketConsumer? Consumer)> entry in _subscriptions)
        {
            if (entry.Value.Key == key)
            {
                if (!byGrain.TryGetValue(entry.Value.Grain, out (IStreamPacketConsumer? Consumer, List<Guid> Ids) held))
                {
                    byGrain[entry.Value.Grain] = held = (entry.Value.Consumer, []);
                }

                held.Ids.Add(entry.Key);
            }
        }

        var routes = new ConsumerRoute[byGrain.Count];
        int i = 0;
        foreach ((GrainId grain, (IStreamPacketConsumer? consumer, List<Guid> ids)) in byGrain)
        {
            // A grain's route is kept across changes, so what waits for it keeps its order.
            ConsumerRoute route = Array.Find(previous, r => r.Grain == grain)
                ?? new ConsumerRoute(key, grain, consumer ?? ConsumerOf(grain), _metrics, _logger, _gone);
            route.Subscriptions = [.. ids];
            routes[i++] = route;
        }

        if (routes.Length == 0)
        {
            _explicit.TryRemove(key, out _);
        }
        else
        {
            _explicit[key] = routes;
        }
    }

    // A route whose subscriber is an Orleans client that is gone: its subscriptions end.
    private void Gone(ConsumerRoute route)
    {
        foreach (Guid subscription in route.Subscriptions)
        {
            Unsubscribe(subscription);
        }
    }

    private IStreamPacketConsumer ConsumerOf(GrainId grain) => _grains.GetGrain<IStreamPacketConsumer>(grain);
}
