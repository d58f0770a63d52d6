namespace TamTam.Interfaces.Streams;

/// <summary>
/// The sequencer and router of one (link, port) stream, keyed by <see cref="StreamNames.Key"/>: it numbers
/// each published batch per (link, port) and pushes it to the relay of every silo with a session bound to the
/// port. Sequences are assigned only to batches the port took, so a refusal leaves no gap.
/// </summary>
[Alias("tamtam.IStreamPortGrain")]
public interface IStreamPortGrain : IGrainWithStringKey
{
    /// <summary>Numbers the packets of <paramref name="batch"/> consecutively and routes them to the subscribed relays.</summary>
    /// <returns>The first sequence, or a refusal (302 when a relay lags too far behind) for the whole batch.</returns>
    [Alias("Publish")]
    Task<StreamPublishResult> PublishAsync(StreamBatch batch);

    /// <summary>
    /// Registers the relay of <paramref name="silo"/> as a receiver of this port, or renews its registration
    /// (idempotent). Relays renew periodically, so a port grain that lost its registrations (a new activation)
    /// has them back within a renewal period.
    /// </summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(IStreamRelay relay, SiloAddress silo);
}
