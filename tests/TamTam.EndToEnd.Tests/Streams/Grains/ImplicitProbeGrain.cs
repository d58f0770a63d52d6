using Orleans.Streams;
using Orleans.Streams.Core;
using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Streams.Grains;

/// <summary>A grain implicitly subscribed to every link whose name starts with "implicit-", one activation per port.</summary>
public interface IImplicitProbeGrain : IGrainWithStringKey
{
    Task WatchAsync(IPacketWitness witness);
}

[RegexImplicitStreamSubscription("^implicit-")]
public sealed class ImplicitProbeGrain : Grain, IImplicitProbeGrain, IStreamSubscriptionObserver
{
    private IPacketWitness? _witness;

    public Task WatchAsync(IPacketWitness witness)
    {
        _witness = witness;
        return Task.CompletedTask;
    }

    // Orleans' pattern for implicit subscribers: the grain learns the stream (and so the link) from the subscription.
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        string tag = $"implicit {handleFactory.StreamId}";
        await handleFactory.Create<StreamPacket>().ResumeAsync((packet, _) => _witness?.SeenAsync(tag, packet) ?? Task.CompletedTask);
    }
}
