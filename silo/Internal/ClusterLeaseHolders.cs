using TamTam.Storage.Blob;

namespace TamTam.Silo.Internal;

/// <summary>
/// Blob log leases named by silo: a lease records the silo address (with its generation) that took it, and a lease
/// whose silo Orleans membership has declared dead may be broken at once. A silo declared dead never writes again: if it
/// still runs, it stops itself when it learns of its death. A silo the membership does not know (yet) is not dead.
/// </summary>
internal sealed class ClusterLeaseHolders(ILocalSiloDetails local, IClusterMembershipService membership) : ILeaseHolderLiveness
{
    public string Self => local.SiloAddress.ToParsableString();

    public bool IsDead(string holder)
    {
        SiloAddress address;
        try
        {
            address = SiloAddress.FromParsableString(holder);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return false;
        }

        return membership.CurrentSnapshot.GetSiloStatus(address) == SiloStatus.Dead;
    }
}
