using TamTam.Storage.Blob;

namespace TamTam.Silo.Internal;

/// <summary>
/// Blob log leases named by silo: a lease records the silo address (with its generation) that took it, and a lease
/// whose silo Orleans membership has declared dead may be broken at once. A silo declared dead never writes again: if it
/// still runs, it stops itself when it learns of its death. A silo the membership does not know (yet) is not dead.
/// </summary>
/// <remarks>
/// An opener asks again and again while it waits for a held lease. A death is declared by whichever silos suspected it,
/// and the others learn it by gossip or their next periodic table read, a second or more later; so a holder not dead in
/// this silo's view is looked up in the membership table itself, at most once per <see cref="RefreshInterval"/> whoever
/// asks, so that the link comes back as soon as its silo is declared dead.
/// </remarks>
internal sealed class ClusterLeaseHolders(ILocalSiloDetails local, IClusterMembershipService membership) : ILeaseHolderLiveness
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private Task _refresh = Task.CompletedTask;
    private long _refreshedAt;

    public string Self => local.SiloAddress.ToParsableString();

    public async ValueTask<bool> IsDeadAsync(string holder, CancellationToken cancellationToken)
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

        if (IsDeadInView(address))
        {
            return true;
        }

        await SharedRefresh().WaitAsync(cancellationToken).ConfigureAwait(false);
        return IsDeadInView(address);
    }

    private bool IsDeadInView(SiloAddress address) => membership.CurrentSnapshot.GetSiloStatus(address) == SiloStatus.Dead;

    private Task SharedRefresh()
    {
        lock (_gate)
        {
            if (!_refresh.IsCompleted || System.Diagnostics.Stopwatch.GetElapsedTime(_refreshedAt) < RefreshInterval)
            {
                return _refresh;
            }

            _refreshedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _refresh = RefreshAsync();
            return _refresh;
        }
    }

    // A table that cannot be read now only leaves the view as it was: the opener asks again shortly.
    private async Task RefreshAsync()
    {
        try
        {
            await membership.Refresh(default).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }
}
