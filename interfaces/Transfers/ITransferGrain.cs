using TamTam.Protocol;

namespace TamTam.Interfaces.Transfers;

/// <summary>
/// The descriptor of one parted transfer, keyed by its message id: the parts staged, the parts each receiver
/// confirmed, its phase and deadline. It owns the payload's life in the payload store: it removes the bytes
/// once the message has its final state, or when an upload is abandoned past its staging deadline.
/// </summary>
/// <remarks>
/// Payload bytes never pass through this grain (the gateway stages and reads them). Progress calls are
/// batched by the gateway and persisted lazily: the payload store, not this state, is the truth about
/// which parts are held, so losing a progress write costs a resent part, never data.
/// </remarks>
[Alias("tamtam.ITransferGrain")]
public interface ITransferGrain : IGrainWithGuidKey
{
    /// <summary>A parted SEND arrived (first time or again after a reconnect): starts or resumes the transfer.</summary>
    [Alias("begin")]
    Task<TransferStart> BeginAsync(TransferRequest request);

    /// <summary>Parts the gateway has stored durably (progress; the store stays the truth).</summary>
    [Alias("staged")]
    Task PartsStagedAsync(int[] indexes);

    /// <summary>Every part is stored, the digest verified and the payload committed; durable when this returns.</summary>
    [Alias("committed")]
    Task CommittedAsync();

    /// <summary>The link accepted the message under <paramref name="sequence"/>; durable when this returns.</summary>
    [Alias("accepted")]
    Task AcceptedAsync(ulong sequence, long acceptedAtUs);

    /// <summary>The upload failed (401 bad digest, or the link refused it): staged data removed, the id may start again.</summary>
    [Alias("discard")]
    Task DiscardAsync(ErrorCode reason);

    /// <summary>The parts <paramref name="receiver"/> has confirmed with PART_ACK, when it receives them cut in <paramref name="partSize"/>.</summary>
    [Alias("confirmed-parts")]
    Task<int[]> GetConfirmedPartsAsync(string receiver, int partSize);

    /// <summary>Parts <paramref name="receiver"/> confirmed (progress, batched).</summary>
    [Alias("confirm-parts")]
    Task PartsConfirmedAsync(string receiver, int partSize, int[] indexes);

    /// <summary>The message reached <paramref name="state"/> at its link: every recipient settled. Removes the payload.</summary>
    [Alias("finished")]
    Task FinishedAsync(FinalState state);

    /// <summary>
    /// Activates the grain, whose timer then watches its deadlines (after a silo restart); true while the transfer is
    /// not over, false once it is (or never started).
    /// </summary>
    [Alias("wake")]
    Task<bool> WakeAsync();

    [Alias("snapshot")]
    Task<TransferSnapshot> GetSnapshotAsync();
}
