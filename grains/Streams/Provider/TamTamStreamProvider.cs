using System.Collections.Concurrent;
using Orleans.Streams;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// The <c>tamtam</c> Orleans stream provider (docs/architecture.md, "Orleans streams over the direct path"): port streams
/// of <see cref="StreamPacket"/>, published through the port grains and received through the silos' relays, as wire
/// nodes publish and receive them. No pulling agent, queue or pub-sub grain is involved.
/// </summary>
/// <remarks>
/// A grain's subscription is held by its silo (<see cref="GrainSubscribers"/>) and delivered through the grain's
/// extension; an Orleans client's (code outside any grain, on a client or in a silo's host) is held by a
/// <see cref="IClientStreamSubscriptionGrain"/> and delivered to the client's one consumer object.
/// </remarks>
internal sealed class TamTamStreamProvider(
    string name, IGrainFactory grains, IGrainContextAccessor? contexts, GrainSubscribers? subscribers, ImplicitSubscribers? implicitSubscribers)
    : IStreamProvider
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<Guid, PortStreamId> _clientSubscriptions = new();
    private (PacketConsumerExtension Consumer, IStreamPacketConsumer Reference)? _client;

    public string Name { get; } = name;

    public bool IsRewindable => false;

    internal PacketPublisher Publisher { get; } = new(grains);

    public IAsyncStream<T> GetStream<T>(StreamId streamId) =>
        typeof(T) == typeof(StreamPacket)
            ? (IAsyncStream<T>)(object)new PortStream(this, PortStreamId.Of(streamId))
            : throw new NotSupportedException($"the {Name} stream provider carries {nameof(StreamPacket)} only, not {typeof(T).Name}");

    internal async Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(PortStreamId stream, IAsyncObserver<StreamPacket>? observer,
        IAsyncBatchObserver<StreamPacket>? batchObserver)
    {
        if (Grain() is not { } grain)
        {
            var clientSubscription = Guid.NewGuid();
            (PacketConsumerExtension consumer, IStreamPacketConsumer reference) = Client();
            consumer.Attach(clientSubscription, stream, observer, batchObserver);
            _clientSubscriptions[clientSubscription] = stream;
            await grains.GetGrain<IClientStreamSubscriptionGrain>(clientSubscription).SubscribeAsync(stream.Key, reference)
                .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            return new PacketSubscriptionHandle(this, stream, clientSubscription);
        }

        Guid? implicitSubscription = implicitSubscribers!.SubscriptionOf(grain.GrainId, stream.Id);
        Guid subscription = implicitSubscription ?? Guid.NewGuid();
        ConsumerOf(grain).Attach(subscription, stream, observer, batchObserver);
        if (implicitSubscription is null)
        {
            await subscribers!.SubscribeAsync(stream.Key, subscription, grain.GrainId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        return new PacketSubscriptionHandle(this, stream, subscription);
    }

    internal Task<StreamSubscriptionHandle<StreamPacket>> ResumeAsync(PacketSubscriptionHandle handle, IAsyncObserver<StreamPacket>? observer,
        IAsyncBatchObserver<StreamPacket>? batchObserver)
    {
        PacketConsumerExtension consumer = Grain() is { } grain ? ConsumerOf(grain) : Client().Consumer;
        consumer.Attach(handle.HandleId, handle.Stream, observer, batchObserver);
        return Task.FromResult<StreamSubscriptionHandle<StreamPacket>>(handle);
    }

    internal Task UnsubscribeAsync(PacketSubscriptionHandle handle)
    {
        if (Grain() is { } grain)
        {
            ConsumerOf(grain).Detach(handle.HandleId);
            subscribers!.Unsubscribe(handle.HandleId);
            return Task.CompletedTask;
        }

        Client().Consumer.Detach(handle.HandleId);
        return _clientSubscriptions.TryRemove(handle.HandleId, out _)
            ? grains.GetGrain<IClientStreamSubscriptionGrain>(handle.HandleId).UnsubscribeAsync()
            : Task.CompletedTask;
    }

    internal Task<IList<StreamSubscriptionHandle<StreamPacket>>> HandlesAsync(PortStreamId stream)
    {
        List<StreamSubscriptionHandle<StreamPacket>> handles = [];
        if (Grain() is { } grain)
        {
            if (implicitSubscribers!.SubscriptionOf(grain.GrainId, stream.Id) is { } implicitSubscription)
            {
                handles.Add(new PacketSubscriptionHandle(this, stream, implicitSubscription));
            }

            foreach (Guid subscription in subscribers!.SubscriptionsOf(grain.GrainId, stream.Key))
            {
                handles.Add(new PacketSubscriptionHandle(this, stream, subscription));
            }
        }
        else
        {
            foreach ((Guid subscription, PortStreamId of) in _clientSubscriptions)
            {
                if (of.Id == stream.Id)
                {
                    handles.Add(new PacketSubscriptionHandle(this, stream, subscription));
                }
            }
        }

        return Task.FromResult<IList<StreamSubscriptionHandle<StreamPacket>>>(handles);
    }

    // The calling grain, on a silo set up with AddTamTamStreams; null for code outside any grain (an Orleans client).
    private IGrainContext? Grain() =>
        contexts?.GrainContext is { } context && context.GrainInstance is IGrainBase && subscribers is not null ? context : null;

    // The client's consumer object, made at its first subscription; held here, since Orleans holds observers weakly.
    private (PacketConsumerExtension Consumer, IStreamPacketConsumer Reference) Client()
    {
        lock (_gate)
        {
            if (_client is null)
            {
                var consumer = new PacketConsumerExtension(null, this);
                _client = (consumer, grains.CreateObjectReference<IStreamPacketConsumer>(consumer));
            }

            return _client.Value;
        }
    }

    private PacketConsumerExtension ConsumerOf(IGrainContext grain) =>
        grain.GetComponent<IGrainExtensionBinder>()!.GetOrSetExtension<PacketConsumerExtension, IStreamPacketConsumer>(
            () => new PacketConsumerExtension(grain, this)).Item1;
}
