namespace TamTam.Storage.Blob;

/// <summary>
/// Who holds a blob log's lease, and whether that holder is known to be dead: lets a new writer break the lease of a
/// crashed one at once instead of waiting for it to run out. The silo implements it over Orleans membership; without
/// one registered, a crashed writer's lease simply runs out (<see cref="BlobStorageOptions.LeaseDuration"/>).
/// </summary>
/// <remarks>
/// Breaking a live writer's lease would let two writers at one log, so <see cref="IsDeadAsync"/> must answer true only for a
/// holder that can never write again (Orleans: a silo declared dead in the membership table, which kills itself if it
/// still runs). Appends are fenced by their position as well, so a writer that has not yet noticed cannot interleave.
/// </remarks>
public interface ILeaseHolderLiveness
{
    /// <summary>This process's name as a holder, recorded in the lock blob's metadata when it takes a lease.</summary>
    string Self { get; }

    /// <summary>
    /// True when <paramref name="holder"/> (another process's <see cref="Self"/>) is known to be dead for good. Asked again and
    /// again while an opener waits for a held lease (<see cref="BlobStorageOptions.LeaseWait"/>): an implementation should
    /// learn a death as soon as it is declared (Orleans: read the membership table rather than wait for gossip), and may
    /// share one such read between concurrent askers.
    /// </summary>
    ValueTask<bool> IsDeadAsync(string holder, CancellationToken cancellationToken);
}
