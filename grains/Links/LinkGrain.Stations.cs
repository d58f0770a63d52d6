using TamTam.Diagnostics;
using TamTam.Grains.Interchange.Internal;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links;

// The interchange side of a link nobody joined in the cloud (docs/architecture.md, "Interchange"): its messages wait in the
// roaming pseudo-node's durable inbox and go to the station of the link's route, or round the ring one at a time, in link
// order, until a station claims the head or it ends NO_ROUTE.
public sealed partial class LinkGrain
{
    private readonly Rounds _routing = new();
    private RingTrip? _trip;
    private long _routeAfterUs;

    private IInterchangeGrain Interchange => GrainFactory.GetGrain<IInterchangeGrain>(IInterchangeGrain.ClusterKey);

    public Task<OperationResult> AttachStationAsync(StationAttachment station, ILinkObserver observer, bool registered)
    {
        ArgumentNullException.ThrowIfNull(station);
        return Task.FromResult(_faulted ? Unavailable() : AttachStation(station.Station, station.AttachmentId, observer, registered));
    }

    public Task<bool> IsHostedInCloudAsync() => Task.FromResult(_core.IsHostedInCloud);

    public Task DetachStationAsync(string station, Guid attachmentId)
    {
        if (_core.DetachStation(station, attachmentId))
        {
            // What the station had not settled goes back to the ring after the retry delay: a station that comes back within it
            // registers again and gets it first.
            _routeAfterUs = _core.NowUs() + (long)_interchange.OfferRetry.TotalMicroseconds;
        }

        return Task.CompletedTask;
    }

    public async Task<ErrorCode> ClaimAsync(Guid messageId, StationAttachment station, ILinkObserver observer)
    {
        ArgumentNullException.ThrowIfNull(station);
        if (_faulted)
        {
            return ErrorCode.Unavailable;
        }

        if (_trip is not { } trip || !trip.IsOpenFor(messageId, station.Station, station.AttachmentId))
        {
            return ErrorCode.UnknownMessage;
        }

        if (!await Interchange.LearnRouteAsync(Link, station, observer))
        {
            // The station's session is not registered any more: the offer is as good as lost.
            OfferLost(trip, station.Station, "the claiming station is not registered");
            return ErrorCode.UnknownMessage;
        }

        _interchangeMetrics?.Claimed();
        _core.Claimed(trip.Sequence);
        if (_trip == trip)
        {
            _trip = null;
        }

        OperationResult attached = AttachStation(station.Station, station.AttachmentId, observer, registered: false);
        if (_core.RoamingWaits)
        {
            // Ring first: the next message rings now, not on the next tick.
            BackgroundWork.Run(RouteRoamingAsync(), "route a roaming message", _logger);
        }

        return attached.Succeeded ? ErrorCode.None : attached.Code;
    }

    public Task<ErrorCode> PassAsync(Guid messageId, string station, Guid attachmentId, byte ttl)
    {
        if (_trip is not { } trip || !trip.IsOpenFor(messageId, station, attachmentId))
        {
            return Task.FromResult(ErrorCode.UnknownMessage);
        }

        if (ttl != trip.Ttl - 1)
        {
            return Task.FromResult(ErrorCode.OutOfRange);
        }

        trip.Pass(ttl);
        _interchangeMetrics?.Passed();
        BackgroundWork.Run(RouteRoamingAsync(), "route a roaming message", _logger);
        return Task.FromResult(ErrorCode.None);
    }

    public Task OfferLostAsync(Guid messageId, string station, Guid attachmentId)
    {
        if (_trip is { } trip && trip.IsOpenFor(messageId, station, attachmentId))
        {
            OfferLost(trip, station, "the station's session ended");
        }

        return Task.CompletedTask;
    }

    private OperationResult AttachStation(string station, Guid attachmentId, ILinkObserver observer, bool registered)
    {
        if (_core.AttachStation(station, attachmentId, observer, registered, out NodeState node) is { } refusal)
        {
            return refusal;
        }

        _trip = null;
        _routeAfterUs = 0;

        // The station collects the statuses of the messages it sent on this link's behalf, then the link's deliveries.
        StatusReport[] held = [.. Ledger.HeldStatuses()];
        if (held.Length > 0)
        {
            Chain(LinkOrchestrator.RoamingNode, () => observer.StatusAsync(held), attachmentId);
        }

        Dispatch(node, _core.NowUs());
        return OperationResult.Ok;
    }

    private void OfferLost(RingTrip trip, string station, string reason)
    {
        trip.Lost();
        _routeAfterUs = _core.NowUs() + (long)_interchange.OfferRetry.TotalMicroseconds;
        InterchangeLog.OfferLost(_logger, Link, trip.MessageId, station, reason, _interchange.OfferRetry);
    }

    /// <summary>Routes the roaming inbox's head, one call at a time; a call while one runs makes it go round once more.</summary>
    private async Task RouteRoamingAsync()
    {
        try
        {
            await _routing.RunAsync(RouteHeadAsync, () => _faulted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The timer tries again on its next tick.
            InterchangeLog.InterchangeNotAsked(_logger, Link, e);
        }
    }

    private async Task RouteHeadAsync()
    {
        while (!_faulted && _core.RoamingWaits && _core.RoamingHead() is { } head)
        {
            long now = _core.NowUs();
            if (now < _routeAfterUs)
            {
                return;
            }

            if (_trip is { OfferedTo: { } offeredTo } open && open.Sequence == head.Message.Sequence)
            {
                if (now < open.OfferedAtUs + (long)_interchange.OfferTimeout.TotalMicroseconds)
                {
                    return; // the station has the offer: its answer moves the trip on
                }

                InterchangeLog.OfferLost(_logger, Link, open.MessageId, offeredTo, "no answer within the offer timeout: a pass", TimeSpan.Zero);
                open.Pass(open.Ttl - 1);
                _interchangeMetrics?.Passed();
            }

            // A known route first (unless the policy is ring first): a station that registered the link, or a route learned
            // while this activation was away.
            if (!_core.RingFirst && await Interchange.GetRouteAsync(Link) is { } route)
            {
                if (!_core.RoamingOnline)
                {
                    AttachStation(route.Station, route.AttachmentId, route.Observer, route.Learned == RouteLearning.Registered);
                }

                return;
            }

            PendingMessage message = head.Message;
            if (_trip is null || _trip.Sequence != message.Sequence)
            {
                _trip = new RingTrip(message.Sequence, message.MessageId, _interchange.DefaultTtl);
            }

            RingTrip trip = _trip;
            StationAttachment[] ring = await Interchange.GetRingAsync(message.Accepted.SourceLink);
            if (_trip != trip || (_core.RoamingOnline && !_core.RingFirst) || _core.RoamingHead() != head)
            {
                continue; // things moved while the ring was asked for: look again
            }

            StationAttachment? next = Array.Find(ring, s => !trip.Passed.Contains(s.Station));
            if (trip.Ttl <= 0 || next is null)
            {
                string reason = trip.Ttl <= 0 ? "its ttl ran out"
                    : ring.Length == 0 ? "no station is registered"
                    : "a full turn of the ring without a claim";
                _trip = null;
                await EndNoRouteAsync(message, reason);
                continue;
            }

            trip.Offer(next.Station, next.AttachmentId, now);
            _interchangeMetrics?.Offered();
            InterchangeLog.Offered(_logger, Link, message.MessageId, message.Sequence, next.Station, trip.Ttl);
            MessageAccepted a = message.Accepted;
            ulong size = a.Transfer is { } transfer ? (ulong)transfer.TotalSize : (ulong)a.Payload.Length;
            var offer = new StationOffer(a.MessageId, a.SourceLink, Link, a.Port, (byte)Math.Min(trip.Ttl, byte.MaxValue), size);
            BackgroundWork.Run(OfferAsync(next, offer, trip), "offer a message to a station", _logger);
            return;
        }
    }

    private async Task OfferAsync(StationAttachment station, StationOffer offer, RingTrip trip)
    {
        try
        {
            await station.Observer.OfferAsync(offer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (_trip == trip && trip.IsOpenFor(offer.MessageId, station.Station, station.AttachmentId))
            {
                OfferLost(trip, station.Station, e.Message);
            }
        }
    }

    private async Task EndNoRouteAsync(PendingMessage message, string reason)
    {
        var records = new List<LinkRecord>();
        var finalized = new List<MessageFinalized>();
        _core.EndRoaming(message, _core.NowUs(), records, finalized);
        if (!await TryCommitAsync(records))
        {
            return;
        }

        _interchangeMetrics?.NoRoute();
        InterchangeLog.NoRoute(_logger, Link, message.MessageId, message.Sequence, reason);
        AfterFinalized(finalized);
    }

    /// <summary>
    /// Whether a batch to this link is roaming: the link is not hosted in the cloud, and a station serves it or is registered at
    /// all. Asked only for links nobody joined: the local path makes no call.
    /// </summary>
    private async Task<bool> IsRoamingAsync()
    {
        if (_core.IsHostedInCloud)
        {
            return false;
        }

        return _core.RoamingOnline || await Interchange.HasStationsAsync();
    }
}
