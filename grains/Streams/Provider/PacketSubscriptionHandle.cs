using Orleans.Streams;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>A subscription of a grain to a port stream through the <c>tamtam</c> provider.</summary>
internal sealed class PacketSubscriptionHandle(TamTamStreamProvider provider, PortStreamId stream, Guid id) : StreamSubscriptionHandle<StreamPacket>
{
    public override StreamId StreamId => stream.Id;

    public override string ProviderName => provider.Name;

    public override Guid HandleId => id;

    internal PortStreamId Stream => stream;

    public override Task UnsubscribeAsync() => provider.UnsubscribeAsync(this);

    public override Task<StreamSubscriptionHandle<StreamPacket>> ResumeAsync(IAsyncObserver<StreamPacket> observer, StreamSequenceToken? token = null) =>
        provider.ResumeAsync(this, observer ?? throw new ArgumentNullException(nameof(observer)), null);

    public override Task<StreamSubscriptionHandle<StreamPacket>> ResumeAsync(IAsyncBatchObserver<StreamPacket> observer, StreamSequenceToken? token = null) =>
        provider.ResumeAsync(this, null, observer ?? throw new ArgumentNullException(nameof(observer)));

    public override bool Equals(StreamSubscriptionHandle<StreamPacket>? other) => other is not null && other.HandleId == id && other.StreamId == stream.Id;

    public override bool Equals(object? obj) => Equals(obj as StreamSubscriptionHandle<StreamPacket>);

    public override int GetHashCode() => id.GetHashCode();
}
