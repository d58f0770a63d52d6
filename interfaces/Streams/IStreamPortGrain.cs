namespace TamTam.Interfaces.Streams;

/// <summary>
/// The producer side of one (link, port) stream, keyed by <see cref="StreamNames.Key"/>: it numbers packets
/// per (link, port) and enqueues them on the port's Orleans stream, which every session bound to the port
/// subscribes to. Sequences are assigned only to packets the queue took, so a refusal leaves no gap.
/// </summary>
[Alias("tamtam.IStreamPortGrain")]
public interface IStreamPortGrain : IGrainWithStringKey
{
    /// <summary>Numbers <paramref name="packets"/> consecutively and enqueues them as one stream event.</summary>
    /// <returns>The first sequence, or a refusal (302 when the stream's queue is full) for the whole batch.</returns>
    [Alias("Publish")]
    Task<StreamPublishResult> PublishAsync(StreamPacketData[] packets);
}
