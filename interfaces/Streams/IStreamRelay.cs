using Orleans.Services;

namespace TamTam.Interfaces.Streams;

/// <summary>
/// One silo's receiver of port streams: a grain service, so every silo set up for streaming has one from its start
/// to its stop (its grain manifest says so) and a port grain addresses it by the silo's address alone — a new
/// activation reaches every silo's relay at its first batch, without waiting for anyone to register. It hands each
/// batch to the sessions of its silo whose bindings cover the batch's stream. A port grain calls it for silos other
/// than its own; its own silo's relay it reaches in-process (<see cref="ILocalStreamRelay"/>). Also an observer
/// interface, so that another receiver can stand in for a silo's relay (<see cref="IStreamPortGrain.SubscribeAsync"/>).
/// </summary>
[Alias("tamtam.IStreamRelay")]
public interface IStreamRelay : IGrainService, IGrainObserver
{
    /// <summary>Hands <paramref name="batches"/> (of one stream, in sequence order) to the local subscribers.</summary>
    /// <returns>False when no session of this silo receives the stream: the port grain then stops sending.</returns>
    [Alias("Deliver"), ResponseTimeout("00:00:05")]
    Task<bool> DeliverAsync(StreamBatch[] batches);

    /// <summary>
    /// As <see cref="DeliverAsync"/>, and says how far the stream's publishers are ahead of the slowest subscriber of
    /// this silo that keeps reading (see <see cref="ILocalStreamRelay.Deliver"/>). Answered by every relay whose silo
    /// advertises one in its grain manifest; a port grain calls <see cref="DeliverAsync"/> on any other.
    /// </summary>
    [Alias("DeliverReportingLag"), ResponseTimeout("00:00:05")]
    Task<RelayDelivery> DeliverReportingLagAsync(StreamBatch[] batches);

    /// <summary>Whether a session of this silo receives the stream <paramref name="key"/> (an idle port's check).</summary>
    [Alias("Wants"), ResponseTimeout("00:00:05")]
    Task<bool> WantsAsync(string key);
}

/// <summary>A relay's answer to a delivery: whether a session of its silo receives the stream, and their lag in packets.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.RelayDelivery")]
public readonly record struct RelayDelivery([property: Id(0)] bool Wanted, [property: Id(1)] int Lag);

/// <summary>The relay of the silo a port grain runs on, called in-process: no message, no copy, no hop.</summary>
public interface ILocalStreamRelay
{
    /// <summary>Hands <paramref name="batch"/> to this silo's subscribers; false when none receives its stream.</summary>
    /// <param name="batch">The numbered batch.</param>
    /// <param name="lag">The largest backlog, in packets, of a subscriber that keeps up but has not caught up: how far the
    /// stream's publishers are ahead of their slowest live reader on this silo.</param>
    bool Deliver(StreamBatch batch, out int lag);

    /// <summary>Whether a session of this silo receives the stream <paramref name="key"/>.</summary>
    bool Wants(string key);
}
