namespace TamTam.Interfaces.Streams;

/// <summary>
/// One subscription of an Orleans client to a port stream through the <c>tamtam</c> provider, keyed by the
/// subscription's id: it holds the subscription on its silo, as a grain's own subscription is held on the grain's
/// silo, with the client's consumer object as the subscriber. Kept active while the subscription lasts.
/// </summary>
[Alias("tamtam.IClientStreamSubscriptionGrain")]
public interface IClientStreamSubscriptionGrain : IGrainWithGuidKey
{
    /// <summary>Subscribes <paramref name="consumer"/> to the stream <paramref name="key"/>; completes once the port grain knows.</summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(string key, IStreamPacketConsumer consumer);

    /// <summary>Ends the subscription.</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync();
}
