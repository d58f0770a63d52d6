namespace TamTam.Interfaces.Streams;

/// <summary>
/// One silo's receiver of port streams (a grain observer, one per silo that has sessions bound to streamed
/// ports): it hands each batch to the sessions of its silo that subscribe to the batch's (link, port). A port
/// grain calls it for silos other than its own; its own silo's relay it reaches in-process
/// (<see cref="ILocalStreamRelay"/>).
/// </summary>
[Alias("tamtam.IStreamRelay")]
public interface IStreamRelay : IGrainObserver
{
    /// <summary>Hands <paramref name="batches"/> (of one port, in sequence order) to the local subscribers.</summary>
    /// <returns>False when this silo no longer has a subscriber to the port: the port grain then stops sending.</returns>
    [Alias("Deliver"), ResponseTimeout("00:00:05")]
    Task<bool> DeliverAsync(StreamBatch[] batches);
}

/// <summary>The relay of the silo a port grain runs on, called in-process: no message, no copy, no hop.</summary>
public interface ILocalStreamRelay
{
    /// <summary>Hands <paramref name="batch"/> to this silo's subscribers; false when none subscribes to its port.</summary>
    bool Deliver(StreamBatch batch);
}
