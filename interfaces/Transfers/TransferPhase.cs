namespace TamTam.Interfaces.Transfers;

/// <summary>Where a parted transfer stands. <see cref="Finished"/> and <see cref="Abandoned"/> are final.</summary>
public enum TransferPhase : byte
{
    /// <summary>No such transfer (never started, or discarded after a failed verification or a refusal).</summary>
    None = 0,

    /// <summary>The sender is uploading parts into the payload store.</summary>
    Staging = 1,

    /// <summary>Every part is stored, the SHA-256 checked and the payload committed; the link has not accepted it yet.</summary>
    Committed = 2,

    /// <summary>The link accepted the message: receivers read it back by range.</summary>
    Accepted = 3,

    /// <summary>The message reached its final state; the payload is removed.</summary>
    Finished = 4,

    /// <summary>The sender did not finish the upload before the staging deadline; the staged parts are removed.</summary>
    Abandoned = 5,
}
