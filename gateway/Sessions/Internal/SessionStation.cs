using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Transfers.Internal;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A station session's side of the interchange (docs/protocol.md section 5.18): it registers the station, writes the offers,
/// deliveries and statuses the links push (one <see cref="StationLinkObserver"/> per link it serves), and turns the station's
/// SEND (<c>STATION</c>), ACK, NACK, STATUS_ACK, STATION_CLAIM and STATION_PASS into calls to the links they concern. When the
/// session ends the station leaves: its routes are dropped and its open offers go back to their links.
/// </summary>
internal sealed class SessionStation : IStationObserver
{
    private readonly GatewaySession _session;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (StationLinkObserver Observer, ILinkObserver Reference)> _links = new(StringComparer.Ordinal);

    // What the station holds and will answer: DELIVERs not settled (message id → link), STATUSes not confirmed
    // (message id → link and node), offers not answered (message id → link).
    private readonly ConcurrentDictionary<Guid, string> _deliveries = new();
    private readonly ConcurrentDictionary<Guid, (string Link, string Node)> _statuses = new();
    private readonly ConcurrentDictionary<Guid, string> _offers = new();
    private readonly StationAcknowledgements _acknowledgements;
    private IStationObserver? _reference;

    public SessionStation(GatewaySession session, IGrainFactory grains, ILogger logger, string name, string[] links)
    {
        _session = session;
        _grains = grains;
        _logger = logger;
        Name = name;
        Links = new HashSet<string>(links, StringComparer.Ordinal);
        _acknowledgements = new StationAcknowledgements(session, grains, logger, name, _deliveries);

        // Parts cross a station session as a node's (docs/protocol.md section 5.18, "Parts"); the parts this station
        // confirmed are recorded under its own receiver name, so that it resumes them when it registers again.
        Transfers = session.Payloads is { } payloads
            ? new SessionTransfers(session, grains, payloads, logger, session.Options, name, $"{RoamingRecipient.Node}/{name}")
            : null;
    }

    public string Name { get; }

    /// <summary>The links the station registered: those it may send on behalf of.</summary>
    public HashSet<string> Links { get; }

    /// <summary>Its parted uploads and deliveries, or <see langword="null"/> on a gateway without a payload store.</summary>
    public SessionTransfers? Transfers { get; }

    private StationAttachment Attachment => new(Name, _session.AttachmentId, _reference!);

    private IInterchangeGrain Interchange => _grains.GetGrain<IInterchangeGrain>(IInterchangeGrain.ClusterKey);

    /// <summary>STATION_REGISTER: all or nothing; on a refusal the session stays welcomed.</summary>
    public async Task<OperationResult> RegisterAsync()
    {
        _reference = _grains.CreateObjectReference<IStationObserver>(this);
        var hosted = new HostedLink[Links.Count];
        int i = 0;
        foreach (string link in Links)
        {
            hosted[i++] = new HostedLink(link, ObserverFor(link));
        }

        OperationResult result;
        try
        {
            result = await Interchange.RegisterAsync(Attachment, hosted).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.StationCallFailed(exception, _session.ConnectionId, Name, "-");
            result = OperationResult.Fail(ErrorCode.Unavailable, "the interchange is unavailable; register again");
        }

        if (!result.Succeeded)
        {
            ReleaseReferences();
        }

        return result;
    }

    /// <summary>The session ended: the station leaves, and each offer it held goes back to its link.</summary>
    public async Task LeaveAsync()
    {
        try
        {
            // The answers read before the end reach their links before the station's deliveries go back to the ring.
            await _acknowledgements.DrainAsync().ConfigureAwait(false);

            if (Transfers is { } transfers)
            {
                // The parts the station confirmed are recorded before its deliveries go back to the ring.
                await transfers.FlushProgressAsync().ConfigureAwait(false);
            }

            await Interchange.LeaveAsync(Name, _session.AttachmentId).ConfigureAwait(false);
            _logger.StationLeft(_session.ConnectionId, Name, _offers.Count);
            foreach ((Guid id, string link) in _offers)
            {
                await _grains.GetGrain<ILinkGrain>(link).OfferLostAsync(id, Name, _session.AttachmentId).ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseReferences();
        }
    }

    /// <summary>SEND with STATION: answered ACCEPTED or ERROR with the SEND's correlation.</summary>
    public async ValueTask SendAsync(uint correlation, SendFrame send)
    {
        StationSource source = send.Station!.Value;
        string sourceLink = source.Link.ToString();
        ErrorCode refusal = ErrorCode.None;
        string detail = string.Empty;
        if (!Links.Contains(sourceLink))
        {
            (refusal, detail) = (ErrorCode.Forbidden, $"station \"{Name}\" did not register link \"{sourceLink}\"");
        }
        else if (send.DestLink.IsEmpty)
        {
            (refusal, detail) = (ErrorCode.NoRoute, "a station's SEND names its destination link; its own links' messages are its own to deliver");
        }
        else if (_session.Access is { } access && !access.AllowsSend(source.Link.Utf8.Span, send.DestLink.Utf8.Span, send.DestPort.Utf8.Span, send.Subtree))
        {
            (refusal, detail) = (ErrorCode.Forbidden, $"the access token does not allow sending to {send.DestLink}:{send.DestPort}");
        }
        else if (send.Transfer.HasValue && Transfers is null)
        {
            (refusal, detail) = (ErrorCode.NotImplemented, "PARTED transfers need a payload store, and this server has none");
        }

        if (refusal != ErrorCode.None)
        {
            await _session.Output.WriteErrorAsync(refusal, detail, fatal: false, correlation, _session.Closing).ConfigureAwait(false);
            return;
        }

        if (send.Transfer.HasValue)
        {
            // Answered with PART_ACKs, then ACCEPTED or ERROR under the SEND's correlation once the upload is complete.
            await Transfers!.BeginAsync(correlation, send, new MessageSource(sourceLink, source.Node.ToString())).ConfigureAwait(false);
            return;
        }

        string link = send.DestLink.ToString();
        var command = new SendCommand(send.MessageId, send.DestPort.ToString(), send.Subtree, send.TtlMs, send.Payload.ToArray(),
            Reply: send.Reply is { } reply ? ReplyRoutes.From(reply, sourceLink) : null, TraceParent: send.Trace?.ToString());
        SendOutcome outcome;
        try
        {
            outcome = (await _grains.GetGrain<ILinkGrain>(link).SendAsync(new MessageSource(sourceLink, source.Node.ToString()), [command])
                .ConfigureAwait(false))[0];
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.StationCallFailed(exception, _session.ConnectionId, Name, link);
            outcome = SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{link}\" is unavailable; send again");
        }

        if (outcome.Accepted)
        {
            await _session.Output.WriteAsync(new AcceptedFrame(send.MessageId, outcome.Sequence, outcome.AcceptedAtUs, outcome.Duplicate), correlation,
                _session.Closing).ConfigureAwait(false);
        }
        else
        {
            await _session.Output.WriteErrorAsync(outcome.Code, outcome.Detail ?? outcome.Code.ToString(), fatal: false, correlation, _session.Closing)
                .ConfigureAwait(false);
        }
    }

    /// <summary>ACK or NACK of a DELIVER the station holds, queued for its link's next call; 304 when none is pending.</summary>
    public ErrorCode QueueAcknowledgement(uint correlation, AckCommand command) => _acknowledgements.Queue(correlation, command);

    /// <summary>Starts the link calls for the ACKs and NACKs one read brought (their refusals are written when the calls return).</summary>
    public void StartCalls() => _acknowledgements.StartCalls();

    /// <summary>STATUS_ACK of a STATUS the station received; the error to answer, or none.</summary>
    public async ValueTask<ErrorCode> ConfirmStatusAsync(Guid messageId)
    {
        if (!_statuses.TryRemove(messageId, out (string Link, string Node) held))
        {
            return ErrorCode.UnknownMessage;
        }

        ErrorCode[] results = await _grains.GetGrain<ILinkGrain>(held.Link).ConfirmStatusAsync(held.Node, [messageId]).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>STATION_CLAIM; the error to answer, or none (the DELIVER follows).</summary>
    public async ValueTask<ErrorCode> ClaimAsync(Guid messageId)
    {
        if (!_offers.TryRemove(messageId, out string? link))
        {
            return ErrorCode.UnknownMessage;
        }

        ErrorCode result = await _grains.GetGrain<ILinkGrain>(link).ClaimAsync(messageId, Attachment, ObserverFor(link)).ConfigureAwait(false);
        if (result == ErrorCode.Unavailable)
        {
            _offers.TryAdd(messageId, link); // the offer stays open: claim again
        }

        return result;
    }

    /// <summary>STATION_PASS; the error to answer, or none.</summary>
    public async ValueTask<ErrorCode> PassAsync(Guid messageId, byte ttl)
    {
        if (!_offers.TryGetValue(messageId, out string? link))
        {
            return ErrorCode.UnknownMessage;
        }

        ErrorCode result = await _grains.GetGrain<ILinkGrain>(link).PassAsync(messageId, Name, _session.AttachmentId, ttl).ConfigureAwait(false);
        if (result is ErrorCode.None or ErrorCode.UnknownMessage)
        {
            _offers.TryRemove(messageId, out _);
        }

        return result;
    }

    public async Task OfferAsync(StationOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        using CancellationTokenSource push = BoundPush();
        await _session.Welcomed.ConfigureAwait(false);
        _offers[offer.MessageId] = offer.Link;
        var frame = new StationOfferFrame(offer.MessageId, Utf8Text.From(offer.SourceLink), Utf8Text.From(offer.Link), Utf8Text.From(offer.Port),
            offer.Ttl, offer.Size);
        await _session.Output.WriteAsync(frame, 0, push.Token).ConfigureAwait(false);
        await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
    }

    public async Task StreamAsync(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using CancellationTokenSource push = BoundPush();
        try
        {
            await _session.Welcomed.ConfigureAwait(false);
            if (batch.LargestBody > _session.Output.PeerMaxBody)
            {
                // Streams are not split: a packet the station cannot take is lost to it, as to a node (5.16).
                _session.Streams?.Counters.Dropped(batch.Count, "too_large");
                return;
            }

            await _session.Output.WriteEncodedAsync(batch.Frames, FrameType.Stream, batch.Count, push.Token).ConfigureAwait(false);
            await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
            _session.Streams?.Counters.Delivered(batch.Count);
        }
        catch (OperationCanceledException) when (push.IsCancellationRequested && !_session.Closing.IsCancellationRequested)
        {
            // Never retried: a station that does not read loses stream packets, as a node would.
            _logger.PushNotFlushed(_session.ConnectionId, StreamNames.Parse(batch.Key).Link, Name, batch.Count, (long)SessionLink.PushWait.TotalMilliseconds);
        }
    }

    public async Task DeliverAsync(string link, Delivery[] deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        using CancellationTokenSource push = BoundPush();
        try
        {
            List<AckCommand>? refused = null;
            foreach (Delivery d in deliveries)
            {
                bool inlineAsParts = d.Transfer is null && DeliverFrameLength(d) > _session.Output.PeerMaxBody;
                if (Transfers is null && (d.Transfer is not null || inlineAsParts))
                {
                    // Without a payload store no parts can be streamed: the station rejects it, which its sender hears.
                    (refused ??= []).Add(new AckCommand(d.MessageId, d.Sequence, Nack: true, Requeue: false, 0,
                        "parted payloads need a payload store, and this server has none"));
                    continue;
                }

                _deliveries[d.MessageId] = link;
                TransferInfo? parted = d.Transfer is { } transfer ? Transfers!.InfoFor(transfer) : inlineAsParts ? Transfers!.InlineInfoFor(d.Payload) : null;
                var frame = new DeliverFrame(d.MessageId, d.Sequence, d.PortSequence, Utf8Text.From(d.SourceLink), Utf8Text.From(d.SourceNode),
                    Utf8Text.From(d.Link), Utf8Text.From(d.Port), d.Attempt, d.DeadlineUs, d.Redelivery, parted,
                    parted.HasValue ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(d.Payload),
                    d.TraceParent is { } traceParent ? new TraceContext(traceParent) : null)
                {
                    Reply = d.Reply is { } reply ? ReplyRoutes.ToWire(reply) : null,
                };
                await _session.Output.WriteAsync(frame, 0, push.Token).ConfigureAwait(false);
                if (parted.HasValue)
                {
                    // The parts follow the DELIVER, streamed beside this push (docs/protocol.md section 7): a station that
                    // comes back gets PART_ACK 0 for the parts it confirmed, then only the others.
                    if (inlineAsParts)
                    {
                        Transfers!.StartInlineOutbound(d);
                    }
                    else
                    {
                        Transfers!.StartOutbound(d);
                    }
                }
            }

            await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
            if (refused is not null)
            {
                // The link is reentrant: it takes this call while it awaits the push.
                await _grains.GetGrain<ILinkGrain>(link).AcknowledgeAsync(RoamingRecipient.Node, _session.AttachmentId, [.. refused]).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (push.IsCancellationRequested && !_session.Closing.IsCancellationRequested)
        {
            // Not read by the station: delivered again after the link's ack timeout.
            _logger.PushNotFlushed(_session.ConnectionId, link, Name, deliveries.Length, (long)SessionLink.PushWait.TotalMilliseconds);
        }
    }

    public async Task StatusAsync(string link, StatusReport[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        using CancellationTokenSource push = BoundPush();
        try
        {
            await _session.Welcomed.ConfigureAwait(false);
            foreach (StatusReport s in statuses)
            {
                _statuses[s.MessageId] = (link, s.SenderNode);
                await _session.Output.WriteAsync(new StatusFrame(s.MessageId, s.State, s.Recipients, s.Confirmed, s.AtUs, s.Detail), 0, push.Token)
                    .ConfigureAwait(false);
            }

            await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (push.IsCancellationRequested && !_session.Closing.IsCancellationRequested)
        {
            _logger.PushNotFlushed(_session.ConnectionId, link, Name, statuses.Length, (long)SessionLink.PushWait.TotalMilliseconds);
        }
    }

    private static int DeliverFrameLength(Delivery d) => 64 + d.SourceLink.Length * 4 + d.SourceNode.Length * 4 + d.Link.Length * 4 + d.Port.Length * 4
        + (d.TraceParent?.Length ?? 0) + d.Payload.Length;

    private ILinkObserver ObserverFor(string link) =>
        _links.GetOrAdd(link, l =>
        {
            var observer = new StationLinkObserver(this, l);
            return (observer, _grains.CreateObjectReference<ILinkObserver>(observer));
        }).Reference;

    private CancellationTokenSource BoundPush()
    {
        var push = CancellationTokenSource.CreateLinkedTokenSource(_session.Closing);
        push.CancelAfter(SessionLink.PushWait);
        return push;
    }

    private void ReleaseReferences()
    {
        foreach ((StationLinkObserver _, ILinkObserver reference) in _links.Values)
        {
            _grains.DeleteObjectReference<ILinkObserver>(reference);
        }

        _links.Clear();
        if (_reference is not null)
        {
            _grains.DeleteObjectReference<IStationObserver>(_reference);
            _reference = null;
        }
    }
}
