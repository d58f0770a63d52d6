using Orleans.Streams;
using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Streams.Grains;

/// <summary>A grain that publishes and subscribes explicitly through the tamtam stream provider, as a user's grain would.</summary>
public interface IStreamProbeGrain : IGrainWithStringKey
{
    Task<Guid> SubscribeAsync(string link, string port, string tag, IPacketWitness witness);

    Task UnsubscribeAsync(string link, string port, Guid subscription);

    Task<int> CountSubscriptionsAsync(string link, string port);

    Task PublishAsync(string link, string port, byte[][] payloads, byte ttl);
}

public sealed class StreamProbeGrain : Grain, IStreamProbeGrain
{
    public async Task<Guid> SubscribeAsync(string link, string port, string tag, IPacketWitness witness)
    {
        StreamSubscriptionHandle<StreamPacket> handle = await Stream(link, port).SubscribeAsync((packet, _) => witness.SeenAsync(tag, packet));
        return handle.HandleId;
    }

    public async Task UnsubscribeAsync(string link, string port, Guid subscription)
    {
        foreach (StreamSubscriptionHandle<StreamPacket> handle in await Stream(link, port).GetAllSubscriptionHandles())
        {
            if (handle.HandleId == subscription)
            {
                await handle.UnsubscribeAsync();
            }
        }
    }

    public async Task<int> CountSubscriptionsAsync(string link, string port) => (await Stream(link, port).GetAllSubscriptionHandles()).Count;

    public Task PublishAsync(string link, string port, byte[][] payloads, byte ttl) =>
        Stream(link, port).OnNextBatchAsync([.. payloads.Select(p => new StreamPacket(p) { Ttl = ttl })]);

    private IAsyncStream<StreamPacket> Stream(string link, string port) =>
        this.GetStreamProvider("tamtam").GetStream<StreamPacket>(StreamId.Create(link, port));
}
