namespace TamTam.Interfaces.Streams;

/// <summary>
/// How packets reach a grain (or an Orleans client) subscribed through the <c>tamtam</c> stream provider: a grain
/// extension, installed on the grain by its first subscription or by the first delivery to an implicit subscriber, that
/// hands each packet to the observers the grain attached to the stream. Also an observer interface: an Orleans client's
/// subscriptions are served by one such object of the client (<see cref="IClientStreamSubscriptionGrain"/>).
/// </summary>
[Alias("tamtam.IStreamPacketConsumer")]
public interface IStreamPacketConsumer : IGrainExtension, IGrainObserver
{
    /// <summary>
    /// Hands the packets of <paramref name="batches"/> (numbered, of the stream <paramref name="key"/>, in sequence order)
    /// to the observers of <paramref name="subscriptions"/>; a grain that observes subscriptions
    /// (<c>IStreamSubscriptionObserver</c>) is offered each one it has not attached an observer to yet.
    /// </summary>
    /// <returns>The packets no observer took: the grain has not attached one to any of <paramref name="subscriptions"/>.</returns>
    [Alias("Deliver")]
    Task<int> DeliverAsync(string key, Guid[] subscriptions, StreamBatch[] batches);
}
