using TamTam.Grains.Interchange.Internal;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Interchange;

namespace TamTam.Grains.Links;

// The link's entry in the durable list of links with roaming messages (IRoamingLinksGrain), which a silo's start wakes: a
// crash mid-offer then loses nothing even when no station registered the link. The link lists itself before it answers the
// SEND that gave it a roaming message, unlists itself on a tick once they are all final, and keeps its activation meanwhile.
public sealed partial class LinkGrain
{
    // Null while this activation does not know whether the list holds the link.
    private bool? _roamingListed;
    private Task _roamingListing = Task.CompletedTask;

    private IRoamingLinksGrain RoamingLinks => GrainFactory.GetGrain<IRoamingLinksGrain>(IRoamingLinksGrain.PartitionOf(Link));

    /// <summary>
    /// Called on activation: the policy is applied, and roaming messages that outlived the previous activation are routed again
    /// after the offer retry delay.
    /// </summary>
    private void ResumeRoaming()
    {
        _core.RingFirst = _interchange.IsRingFirst;
        if (!_core.RoamingPending)
        {
            return;
        }

        // The previous activation's offers went with it, and the stations re-register only once their upstream sessions
        // have reconnected: the head is offered again, from the first station of the ring with the full ttl, this much later.
        _routeAfterUs = _core.NowUs() + (long)_interchange.OfferRetry.TotalMicroseconds;
        InterchangeLog.RoamingResumed(_logger, Link, _core.RoamingPendingCount, _interchange.OfferRetry);
    }

    /// <summary>On each tick: the list follows the ledger, and the activation stays while roaming messages are not final.</summary>
    private Task KeepRoamingListedAsync()
    {
        bool pending = _core.RoamingPending;
        if (pending)
        {
            DelayDeactivation(_options.TimerPeriod * 3);
        }

        return _roamingListed == pending || (!pending && !_core.HasRoamingNode) ? Task.CompletedTask : ListRoamingAsync();
    }

    /// <summary>Brings the list in line with the ledger, one update at a time; never throws (a failure is logged and retried on a tick).</summary>
    private Task ListRoamingAsync()
    {
        _roamingListing = ListRoamingAfterAsync(_roamingListing);
        return _roamingListing;
    }

    private async Task ListRoamingAfterAsync(Task previous)
    {
        await previous;
        bool pending = _core.RoamingPending;
        if (_roamingListed == pending)
        {
            return;
        }

        try
        {
            if (pending)
            {
                await RoamingLinks.AddAsync(Link);
            }
            else
            {
                await RoamingLinks.RemoveAsync(Link);
            }

            _roamingListed = pending;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _roamingListed = null;
            InterchangeLog.RoamingNotListed(_logger, Link, e);
        }
    }
}
