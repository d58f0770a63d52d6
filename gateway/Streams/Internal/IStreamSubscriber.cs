using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>What a <see cref="StreamRelay"/> hands batches to: a session subscribed to a port.</summary>
internal interface IStreamSubscriber
{
    /// <summary>Takes <paramref name="batch"/> for the socket, or drops and counts it; never waits.</summary>
    void Offer(StreamBatch batch);
}
