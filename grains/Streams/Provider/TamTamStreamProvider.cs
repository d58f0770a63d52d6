using Orleans.Streams;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// The <c>tamtam</c> Orleans stream provider (docs/architecture.md, "Orleans streams over the direct path"): port streams
/// of <see cref="StreamPacket"/>, published through the port grains and received through the silos' relays, as wire
/// nodes publish and receive them. No pulling agent, queue or pub-sub grain is involved.
/// </summary>
internal sealed class TamTamStreamProvider(
    string name, PacketPublisher publisher, IGrainContextAccessor? contexts, GrainSubscribers? subscribers, ImplicitSubscribers? implicitSubscribers)
    : IStreamProvider
{
    public string Name { get; } = name;

    public bool IsRewindable => false;

    internal PacketPublisher Publisher { get; } = publisher;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) =>
        typeof(T) == typeof(StreamPacket)
            ? (IAsyncStream<T>)(object)new PortStream(this, PortStreamId.Of(streamId))
            : throw new NotSupportedException($"the {Name} stream provider carries {nameof(StreamPacket)} only, not {typeof(T).Name}");

    internal async Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(PortStreamId stream, IAsyncObserver<StreamPacket>? observer,
        IAsyncBatchObserver<StreamPacket>? batchObserver)
    {
        (IGrainContext grain, GrainSubscribers grains, ImplicitSubscribers implicitOnes) = Subscriber();
        Guid? implicitSubscription = implicitOnes.SubscriptionOf(grain.GrainId, stream.Id);
        Guid subscription = implicitSubscription ?? Guid.NewGuid();
        ConsumerOf(grain).Attach(subscription, stream, observer, batchObserver);
        if (implicitSubscription is null)
        {
            await grains.SubscribeAsync(stream.Key, subscription, grain.GrainId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        return new PacketSubscriptionHandle(this, stream, subscription);
    }

    internal Task<StreamSubscriptionHandle<StreamPacket>> ResumeAsync(PacketSubscriptionHandle handle, IAsyncObserver<StreamPacket>? observer,
        IAsyncBatchObserver<StreamPacket>? batchObserver)
    {
        (IGrainContext grain, _, _) = Subscriber();
        ConsumerOf(grain).Attach(handle.HandleId, handle.Stream, observer, batchObserver);
        return Task.FromResult<StreamSubscriptionHandle<StreamPacket>>(handle);
    }

    internal Task UnsubscribeAsync(PacketSubscriptionHandle handle)
    {
        (IGrainContext grain, GrainSubscribers grains, _) = Subscriber();
        ConsumerOf(grain).Detach(handle.HandleId);
        grains.Unsubscribe(handle.HandleId);
        return Task.CompletedTask;
    }

    internal Task<IList<StreamSubscriptionHandle<StreamPacket>>> HandlesAsync(PortStreamId stream)
    {
        (IGrainContext grain, GrainSubscribers grains, ImplicitSubscribers implicitOnes) = Subscriber();
        List<StreamSubscriptionHandle<StreamPacket>> handles = [];
        if (implicitOnes.SubscriptionOf(grain.GrainId, stream.Id) is { } implicitSubscription)
        {
            handles.Add(new PacketSubscriptionHandle(this, stream, implicitSubscription));
        }

        foreach (Guid subscription in grains.SubscriptionsOf(grain.GrainId, stream.Key))
        {
            handles.Add(new PacketSubscriptionHandle(this, stream, subscription));
        }

        return Task.FromResult<IList<StreamSubscriptionHandle<StreamPacket>>>(handles);
    }

    private (IGrainContext Grain, GrainSubscribers Grains, ImplicitSubscribers Implicit) Subscriber()
    {
        if (subscribers is null || implicitSubscribers is null || contexts is null)
        {
            throw new NotSupportedException(
                $"subscribing through the {Name} stream provider is done by grains, in a silo set up with AddTamTamStreams; an Orleans client publishes only");
        }

        return contexts.GrainContext is { } grain
            ? (grain, subscribers, implicitSubscribers)
            : throw new InvalidOperationException($"subscriptions through the {Name} stream provider are made from within a grain");
    }

    private PacketConsumerExtension ConsumerOf(IGrainContext grain) =>
        grain.GetComponent<IGrainExtensionBinder>()!.GetOrSetExtension<PacketConsumerExtension, IStreamPacketConsumer>(
            () => new PacketConsumerExtension(grain, this)).Item1;
}
