using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// The grains implicitly subscribed to a stream, from their <c>[ImplicitStreamSubscription]</c> attributes as the
/// cluster's grain manifests carry them — the same bindings, namespace predicates and stream-id mappers Orleans' own
/// providers read (its table is internal to Orleans.Streaming). A stream's namespace is its link, so
/// <c>[ImplicitStreamSubscription("orders")]</c> subscribes a grain to every port of the link <c>orders</c>, one grain
/// per port (its key is the stream's key: the port, or the port and '/' for its subtree).
/// </summary>
internal sealed class ImplicitSubscribers
{
    private readonly GrainBindingsResolver _bindings;
    private readonly IStreamNamespacePredicateProvider[] _predicates;
    private readonly IServiceProvider _services;
    private readonly Lock _gate = new();
    private Table _table;

    public ImplicitSubscribers(GrainBindingsResolver bindings, IEnumerable<IStreamNamespacePredicateProvider> predicates, IServiceProvider services)
    {
        _bindings = bindings;
        _predicates = [.. predicates];
        _services = services;
        _table = Build();
    }

    /// <summary>The grains implicitly subscribed to <paramref name="stream"/>, with their subscription ids.</summary>
    public IReadOnlyList<(Guid Subscription, GrainId Grain)> Of(StreamId stream)
    {
        Subscriber[] subscribers = SubscribersOf(stream.GetNamespace());
        if (subscribers.Length == 0)
        {
            return [];
        }

        var found = new (Guid, GrainId)[subscribers.Length];
        for (int i = 0; i < subscribers.Length; i++)
        {
            found[i] = (SubscriptionId(subscribers[i].Type, stream), subscribers[i].GrainOf(stream));
        }

        return found;
    }

    /// <summary>Whether a grain type subscribes implicitly to the namespace (link) <paramref name="link"/>.</summary>
    public bool Any(string link) => SubscribersOf(link).Length > 0;

    /// <summary>The id of <paramref name="grain"/>'s implicit subscription to <paramref name="stream"/>, if it has one.</summary>
    public Guid? SubscriptionOf(GrainId grain, StreamId stream)
    {
        foreach (Subscriber subscriber in SubscribersOf(stream.GetNamespace()))
        {
            if (subscriber.Type == grain.Type && subscriber.GrainOf(stream) == grain)
            {
                return SubscriptionId(subscriber.Type, stream);
            }
        }

        return null;
    }

    // Stable across silos and activations: the same grain type and stream always give the same subscription.
    private static Guid SubscriptionId(GrainType type, StreamId stream)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"tamtam implicit {type} {stream}"), hash);
        return new Guid(hash[..16]);
    }

    private Subscriber[] SubscribersOf(string? link)
    {
        if (string.IsNullOrEmpty(link))
        {
            return [];
        }

        Table table = Current();
        return table.Namespaces.GetOrAdd(link, static (name, predicates) =>
        {
            List<Subscriber> matching = [];
            foreach ((IStreamNamespacePredicate predicate, Subscriber subscriber) in predicates)
            {
                if (predicate.IsMatch(name) && !matching.Contains(subscriber))
                {
                    matching.Add(subscriber);
                }
            }

            return [.. matching];
        }, table.Predicates);
    }

    private Table Current()
    {
        Table table = _table;
        if (_bindings.GetAllBindings().Version == table.Version)
        {
            return table;
        }

        lock (_gate)
        {
            return _table.Version == _bindings.GetAllBindings().Version ? _table : _table = Build();
        }
    }

    private Table Build()
    {
        (MajorMinorVersion version, var bindings) = _bindings.GetAllBindings();
        List<(IStreamNamespacePredicate, Subscriber)> predicates = [];
        foreach (GrainBindings grain in bindings.Values)
        {
            foreach (var binding in grain.Bindings)
            {
                if (!binding.TryGetValue(WellKnownGrainTypeProperties.BindingTypeKey, out string? type)
                    || type != WellKnownGrainTypeProperties.StreamBindingTypeValue
                    || !binding.TryGetValue(WellKnownGrainTypeProperties.StreamBindingPatternKey, out string? pattern))
                {
                    continue;
                }

                IStreamNamespacePredicate? predicate = null;
                foreach (IStreamNamespacePredicateProvider provider in _predicates)
                {
                    if (provider.TryGetPredicate(pattern, out predicate))
                    {
                        break;
                    }
                }

                if (predicate is null)
                {
                    continue;
                }

                binding.TryGetValue(WellKnownGrainTypeProperties.StreamIdMapperKey, out string? mapperName);
                IStreamIdMapper mapper = _services.GetRequiredKeyedService<IStreamIdMapper>(
                    string.IsNullOrWhiteSpace(mapperName) ? DefaultStreamIdMapper.Name : mapperName);
                predicates.Add((predicate, new Subscriber(grain, mapper)));
            }
        }

        return new Table(version, predicates);
    }

    private sealed record Subscriber(GrainBindings Bindings, IStreamIdMapper Mapper)
    {
        public GrainType Type => Bindings.GrainType;

        public GrainId GrainOf(StreamId stream) => GrainId.Create(Type, Mapper.GetGrainKeyId(Bindings, stream));

        public bool Equals(Subscriber? other) => other is not null && Type == other.Type;

        public override int GetHashCode() => Type.GetHashCode();
    }

    private sealed record Table(MajorMinorVersion Version, List<(IStreamNamespacePredicate Predicate, Subscriber Subscriber)> Predicates)
    {
        public ConcurrentDictionary<string, Subscriber[]> Namespaces { get; } = new(StringComparer.Ordinal);
    }
}
