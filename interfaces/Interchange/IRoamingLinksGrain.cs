namespace TamTam.Interfaces.Interchange;

/// <summary>
/// A durable list of the links that have roaming messages not final yet (docs/architecture.md, "Interchange"), so that each
/// is woken when a silo starts: a roaming link routes its messages from its grain timer, which runs only while its grain is
/// active, and after a restart nothing else may touch a link whose station registered no link (its route was claimed, and
/// the registry that knew the claim is gone with the silo).
/// </summary>
/// <remarks>
/// Keyed by a partition number chosen from the link's name, so that no one list holds every roaming link. A link lists
/// itself before it answers the SEND that made it roaming, and unlists itself once its roaming messages are all final: a
/// crash between the two leaves a listed link with nothing roaming, which unlists itself when woken.
/// </remarks>
[Alias("tamtam.IRoamingLinksGrain")]
public interface IRoamingLinksGrain : IGrainWithIntegerKey
{
    /// <summary>The number of partitions; their keys are 0 … <see cref="PartitionCount"/> − 1.</summary>
    public const int PartitionCount = 8;

    /// <summary>Lists <paramref name="link"/>; durable when this returns.</summary>
    [Alias("add")]
    Task AddAsync(string link);

    /// <summary>The link has no roaming message left that is not final.</summary>
    [Alias("remove")]
    Task RemoveAsync(string link);

    /// <summary>Activates every listed link (its timer then routes what waits); returns how many are listed.</summary>
    [Alias("wake")]
    Task<int> WakeAsync();

    /// <summary>The partition that lists <paramref name="link"/>: an FNV-1a hash of its name, the same in every process.</summary>
    public static long PartitionOf(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        uint hash = 2166136261;
        foreach (char c in link)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash % PartitionCount;
    }
}
