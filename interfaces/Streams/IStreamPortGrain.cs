namespace TamTam.Interfaces.Streams;

/// <summary>
/// The sequencer and router of one stream, keyed by <see cref="StreamNames.Key"/>: the packets addressed to one
/// (link, port), or to its subtree. It numbers each published batch and pushes it to the relay of every silo
/// until that relay answers that none of its sessions receives the stream. Sequences are assigned only to
/// batches the port took, so a refusal leaves no gap.
/// </summary>
[Alias("tamtam.IStreamPortGrain")]
public interface IStreamPortGrain : IGrainWithStringKey
{
    /// <summary>Numbers the packets of <paramref name="batch"/> consecutively and routes them to the relays.</summary>
    /// <returns>The first sequence, or a refusal (302 when a relay lags too far behind) for the whole batch.</returns>
    [Alias("Publish")]
    Task<StreamPublishResult> PublishAsync(StreamBatch batch);

    /// <summary>
    /// Tells the port that a session of <paramref name="silo"/> now receives its stream: a relay the port stopped
    /// sending to (it had answered that nobody there wanted the stream) is sent to again. Idempotent.
    /// <paramref name="relay"/> replaces the silo's grain service as its relay, or is <see langword="null"/>.
    /// </summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(SiloAddress silo, IStreamRelay? relay = null);
}
