using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>What a <see cref="StreamRelay"/> hands batches to: a session subscribed to a port.</summary>
internal interface IStreamSubscriber
{
    /// <summary>Takes <paramref name="batch"/> for the socket, or drops and counts it; never waits.</summary>
    /// <returns>
    /// The packets this subscriber now holds unsent that publishers should let it catch up on: its backlog while it
    /// keeps taking what it is sent, 0 when it dropped the batch or has taken nothing for a while (a stalled
    /// subscriber holds nobody back).
    /// </returns>
    int Offer(StreamBatch batch);

    /// <summary>Packets taken and not yet written to the socket, for operators.</summary>
    long Backlog { get; }
}
