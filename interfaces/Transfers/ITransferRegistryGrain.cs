namespace TamTam.Interfaces.Transfers;

/// <summary>
/// A durable list of the parted transfers that are not over yet (staging, committed or accepted), so that each
/// one is woken when a silo starts: a transfer watches its deadlines with a grain timer, which runs only while
/// its grain is active, and after a restart nothing else may touch an abandoned upload again.
/// </summary>
/// <remarks>
/// Keyed by a partition number chosen from the transfer id, so that no one list holds every transfer and no one
/// grain sees every start and end.
/// A transfer is listed before its own state is first written, and leaves the list after its end is written: a
/// crash between the two leaves a listed transfer that has ended, which the next wake-up drops.
/// </remarks>
[Alias("tamtam.ITransferRegistryGrain")]
public interface ITransferRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The number of partitions; their keys are 0 … <see cref="PartitionCount"/> − 1.</summary>
    public const int PartitionCount = 16;

    /// <summary>Lists <paramref name="transferId"/> as live; durable when this returns.</summary>
    [Alias("add")]
    Task AddAsync(Guid transferId);

    /// <summary>The transfer is over (finished, abandoned or discarded).</summary>
    [Alias("remove")]
    Task RemoveAsync(Guid transferId);

    /// <summary>Activates every listed transfer (so that its timer watches its deadlines again) and drops those that are over.</summary>
    [Alias("wake")]
    Task<int> WakeAsync();

    /// <summary>At most <paramref name="limit"/> of the transfers listed as live, for operators (the dashboard). Read-only.</summary>
    [Alias("live")]
    Task<Guid[]> GetLiveAsync(int limit);
}
