using Orleans.Streams;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// One port stream as an Orleans <see cref="IAsyncStream{T}"/>: publishing hands packets to the port grain, subscribing
/// attaches an observer to the calling grain. Not rewindable: a sequence token given to a subscription is ignored,
/// and a subscriber receives what is published from the moment its subscription holds. Streams never end:
/// <see cref="OnCompletedAsync"/> and <see cref="OnErrorAsync"/> publish nothing.
/// </summary>
internal sealed class PortStream(TamTamStreamProvider provider, PortStreamId stream) : IAsyncStream<StreamPacket>
{
    public bool IsRewindable => false;

    public string ProviderName => provider.Name;

    public StreamId StreamId => stream.Id;

    public Task OnNextAsync(StreamPacket item, StreamSequenceToken? token = null) =>
        provider.Publisher.PublishAsync(stream, [item ?? throw new ArgumentNullException(nameof(item))]);

    public Task OnNextBatchAsync(IEnumerable<StreamPacket> batch, StreamSequenceToken? token = null) =>
        provider.Publisher.PublishAsync(stream, batch ?? throw new ArgumentNullException(nameof(batch)));

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(IAsyncObserver<StreamPacket> observer) =>
        provider.SubscribeAsync(stream, observer ?? throw new ArgumentNullException(nameof(observer)), null);

    public Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(IAsyncObserver<StreamPacket> observer, StreamSequenceToken? token, string? filterData = null) =>
        SubscribeAsync(observer);

    public Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(IAsyncBatchObserver<StreamPacket> observer) =>
        provider.SubscribeAsync(stream, null, observer ?? throw new ArgumentNullException(nameof(observer)));

    public Task<StreamSubscriptionHandle<StreamPacket>> SubscribeAsync(IAsyncBatchObserver<StreamPacket> observer, StreamSequenceToken? token) =>
        SubscribeAsync(observer);

    public Task<IList<StreamSubscriptionHandle<StreamPacket>>> GetAllSubscriptionHandles() => provider.HandlesAsync(stream);

    public bool Equals(IAsyncStream<StreamPacket>? other) => other is not null && other.ProviderName == ProviderName && other.StreamId == StreamId;

    public override bool Equals(object? obj) => Equals(obj as IAsyncStream<StreamPacket>);

    public override int GetHashCode() => StreamId.GetHashCode();

    public int CompareTo(IAsyncStream<StreamPacket>? other) => other is null ? 1 : StreamId.CompareTo(other.StreamId);

    public override string ToString() => $"{ProviderName}/{StreamId}";
}
