using System.Buffers;
using System.Collections.Concurrent;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Orleans.Streams.Core;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// A subscribed grain's side of the <c>tamtam</c> provider (one per activation, on the grain's scheduler): the
/// observers the grain attached, by subscription, and the delivery of each batch's packets to them, one packet after
/// the other, in sequence order, each awaited — as Orleans delivers a stream's items to a grain. An Orleans client has
/// one too, as an observer object (<paramref name="grain"/> null), serving all its subscriptions.
/// </summary>
internal sealed class PacketConsumerExtension(IGrainContext? grain, TamTamStreamProvider provider) : IStreamPacketConsumer
{
    // Concurrent: a client's consumer is called for several streams at once, and attached to from any thread.
    private readonly ConcurrentDictionary<Guid, Attached> _attached = [];
    private readonly HashSet<Guid> _offered = [];

    /// <summary>Attaches an observer (one of <paramref name="observer"/> and <paramref name="batchObserver"/>) to <paramref name="subscription"/>.</summary>
    public void Attach(Guid subscription, PortStreamId stream, IAsyncObserver<StreamPacket>? observer, IAsyncBatchObserver<StreamPacket>? batchObserver) =>
        _attached[subscription] = new Attached(stream, observer, batchObserver);

    public void Detach(Guid subscription) => _attached.TryRemove(subscription, out _);

    public async Task<int> DeliverAsync(string key, Guid[] subscriptions, StreamBatch[] batches)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(batches);
        PortStreamId stream = PortStreamId.Of(PortStreamId.FromKey(key));
        foreach (Guid subscription in subscriptions)
        {
            // A subscription this activation has no observer for (an implicit one, or an explicit one made by an earlier
            // activation): a grain that observes subscriptions is offered it once, to attach one (Orleans' pattern).
            if (!_attached.ContainsKey(subscription) && grain?.GrainInstance is IStreamSubscriptionObserver observer && _offered.Add(subscription))
            {
                await observer.OnSubscribed(new HandleFactory(provider, stream, subscription))
                    .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
        }

        List<StreamPacket> packets = Read(stream, batches);
        bool observed = false;
        foreach (Guid subscription in subscriptions)
        {
            if (!_attached.TryGetValue(subscription, out Attached? attached))
            {
                continue;
            }

            observed = true;
            if (attached.BatchObserver is { } batchObserver)
            {
                var items = new List<SequentialItem<StreamPacket>>(packets.Count);
                foreach (StreamPacket packet in packets)
                {
                    items.Add(new SequentialItem<StreamPacket>(packet, Token(packet)));
                }

                await batchObserver.OnNextAsync(items).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                continue;
            }

            foreach (StreamPacket packet in packets)
            {
                await attached.Observer!.OnNextAsync(packet, Token(packet)).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
        }

        return observed ? 0 : packets.Count;
    }

    /// <summary>The packets of <paramref name="batches"/>; the payloads are slices of the batches' shared (immutable) buffers.</summary>
    internal static List<StreamPacket> Read(PortStreamId stream, StreamBatch[] batches)
    {
        int count = 0;
        foreach (StreamBatch batch in batches)
        {
            count += batch.Count;
        }

        var packets = new List<StreamPacket>(count);
        foreach (StreamBatch batch in batches)
        {
            var buffer = new ReadOnlySequence<byte>(batch.Frames);
            while (FrameReader.TryReadFrame(ref buffer, Math.Max(batch.LargestBody, ProtocolLimits.HeaderSize), out Frame frame))
            {
                StreamFrame packet = FrameCodec.Decode<StreamFrame>(frame);
                packets.Add(new StreamPacket(packet.Payload.First)
                {
                    PacketId = packet.PacketId,
                    Ttl = packet.Ttl,
                    WantAck = packet.WantAck,
                    Link = stream.Link,
                    Port = stream.Port,
                    Subtree = packet.Subtree,
                    Sequence = packet.StreamSequence,
                });
            }
        }

        return packets;
    }

    private static EventSequenceTokenV2 Token(StreamPacket packet) => new((long)packet.Sequence);

    private sealed record Attached(PortStreamId Stream, IAsyncObserver<StreamPacket>? Observer, IAsyncBatchObserver<StreamPacket>? BatchObserver);

    /// <summary>What <see cref="IStreamSubscriptionObserver.OnSubscribed"/> gets: the subscription, to resume with an observer.</summary>
    private sealed class HandleFactory(TamTamStreamProvider provider, PortStreamId stream, Guid subscription) : IStreamSubscriptionHandleFactory
    {
        public StreamId StreamId => stream.Id;

        public string ProviderName => provider.Name;

        public GuidId SubscriptionId => GuidId.GetGuidId(subscription);

        public StreamSubscriptionHandle<T> Create<T>() =>
            typeof(T) == typeof(StreamPacket)
                ? (StreamSubscriptionHandle<T>)(object)new PacketSubscriptionHandle(provider, stream, subscription)
                : throw new NotSupportedException($"the {provider.Name} stream provider carries {nameof(StreamPacket)} only, not {typeof(T).Name}");
    }
}
