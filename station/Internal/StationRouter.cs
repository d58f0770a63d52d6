using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Interfaces.Descriptors;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Station.Internal;

/// <summary>
/// The station's orchestration between its hosted links (the embedded silo's link grains) and its interchanges:
/// a message to a link it does not host goes upstream, an offer for one it hosts is claimed, a delivery from upstream is
/// handed to its link, and the upstream delivery is acknowledged only once the local message has its final state.
/// </summary>
internal sealed partial class StationRouter
{
    private const int RememberedSettlements = 65_536;

    private readonly StationOptions _options;
    private readonly HashSet<string> _hosted;
    private readonly IGrainFactory _grains;
    private readonly IPayloadStore _payloads;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Guid, InboundDelivery> _inbound = new();
    private readonly ConcurrentDictionary<Guid, StatusReport> _settled = new();
    private readonly ConcurrentDictionary<int, (DateTimeOffset At, IReadOnlyDictionary<string, uint> Links)> _bridgeLinks = new();
    private UpstreamJournal? _journal;
    private long _offers;
    private UpstreamConnector[] _connectors = [];

    public StationRouter(StationOptions options, IGrainFactory grains, IPayloadStore payloads, ILogger<StationRouter> logger)
    {
        _options = options;
        _payloads = payloads;
        _hosted = new HashSet<string>(options.Links, StringComparer.Ordinal);
        _grains = grains;
        _logger = logger;
        Streams = new StationStreams(this, grains, logger, options.Name);
    }

    private sealed record InboundDelivery(UpstreamConnector From, ulong Sequence);

    /// <summary>The interchanges, once the station has started them.</summary>
    public IReadOnlyList<UpstreamConnector> Connectors => _connectors;

    /// <summary>Messages sent upstream (or bridged) whose final status has not come back yet.</summary>
    public int AwaitingStatus => _journal?.Count ?? 0;

    /// <summary>Offers received from every interchange since the station started.</summary>
    public long Offers => Interlocked.Read(ref _offers);

    public void Attach(UpstreamJournal journal, UpstreamConnector[] connectors)
    {
        _journal = journal;
        _connectors = connectors;
    }

    public bool Hosts(string link) => _hosted.Contains(link);

    /// <summary>The station's stream packets to and from its interchanges.</summary>
    public StationStreams Streams { get; }

    // ---- messages of local nodes to links the station does not host ----

    /// <summary>
    /// SENDs of local node <paramref name="source"/> to <paramref name="link"/>, which the station does not host: each goes to
    /// the first registered interchange, with flag STATION, and is ACCEPTED here once the interchange ACCEPTED it (durable
    /// there). No interchange registered, or no answer: 501, nothing kept, send it again.
    /// </summary>
    public async Task<SendOutcome[]> ForwardAsync(MessageSource source, string link, SendCommand[] batch)
    {
        var outcomes = new SendOutcome[batch.Length];
        UpstreamConnector? upstream = FirstRegistered(except: -1);
        if (upstream is null || _journal is null)
        {
            Array.Fill(outcomes, SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{link}\" is not hosted by station \"{_options.Name}\" and no interchange is connected: send it again"));
            return outcomes;
        }

        var records = new List<Task>(batch.Length);
        for (int i = 0; i < batch.Length; i++)
        {
            records.Add(_journal.RecordAsync(new JournalEntry(batch[i].MessageId, source.Link, source.Node)));
        }

        await Task.WhenAll(records).ConfigureAwait(false);
        var replies = new Task<UpstreamReply>?[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            if (batch[i].Transfer is null)
            {
                replies[i] = await upstream.StartRequestAsync(ToSendFrame(batch[i], link, source.Link, source.Node), CancellationToken.None).ConfigureAwait(false);
            }
        }

        for (int i = 0; i < batch.Length; i++)
        {
            outcomes[i] = batch[i].Transfer is null
                ? await OutcomeOfAsync(replies[i], batch[i].MessageId, link).ConfigureAwait(false)
                : await ForwardPartedAsync(upstream, source, link, batch[i]).ConfigureAwait(false);
        }

        StationMetrics.Forwarded.Add(batch.Length);
        return outcomes;
    }

    /// <summary>Parted SENDs ask first: a link beyond the station is a route while an interchange is registered, else 501.</summary>
    public SendOutcome CheckRoute(string link) =>
        FirstRegistered(except: -1) is null
            ? SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{link}\" is not hosted by station \"{_options.Name}\" and no interchange is connected: send it again")
            : default;

    // ---- final states of messages delivered from upstream into hosted links ----

    /// <summary>
    /// A hosted link reports the final states of messages that came from upstream (their source link is remote): each
    /// delivery is now ACKed upstream when DELIVERED, else NACKed (reason: the final state's number, detail: its name).
    /// A delivery whose session is gone is answered when the interchange delivers it again.
    /// </summary>
    public async Task SettleAsync(StatusReport[] reports)
    {
        // All the answers are queued before any is awaited, so that they leave in one write.
        var answers = new List<(StatusReport Report, Task<bool> Written)>(reports.Length);
        foreach (StatusReport report in reports)
        {
            if (_inbound.TryRemove(report.MessageId, out InboundDelivery? delivery))
            {
                answers.Add((report, AnswerAsync(delivery, report)));
            }
            else
            {
                Remember(report);
            }
        }

        foreach ((StatusReport report, Task<bool> written) in answers)
        {
            if (!await written.ConfigureAwait(false))
            {
                Remember(report);
            }
        }
    }

    // ---- what the interchanges send ----

    public async ValueTask OnEventsAsync(UpstreamConnector from, IReadOnlyList<UpstreamEvent> events)
    {
        int i = 0;
        while (i < events.Count)
        {
            switch (events[i])
            {
                case UpstreamDelivery delivery:
                    // Consecutive deliveries of one source node into one hosted link go in one grain call (one durable write).
                    int end = i + 1;
                    while (end < events.Count && events[end] is UpstreamDelivery next && SameBatch(delivery, next))
                    {
                        end++;
                    }

                    await DeliverAsync(from, events, i, end).ConfigureAwait(false);
                    i = end;
                    continue;
                case UpstreamOffer offer:
                    await OfferedAsync(from, offer).ConfigureAwait(false);
                    break;
                case UpstreamStatus status:
                    await StatusAsync(from, status).ConfigureAwait(false);
                    break;
                case UpstreamStream stream:
                    // Consecutive packets of one stream go in one publish call.
                    int last = i + 1;
                    while (last < events.Count && events[last] is UpstreamStream more && StationStreams.SameStream(stream, more))
                    {
                        last++;
                    }

                    await Streams.DeliverAsync(events, i, last).ConfigureAwait(false);
                    i = last;
                    continue;
                case UpstreamPart part:
                    await OnPartAsync(from, part).ConfigureAwait(false);
                    break;
            }

            i++;
        }
    }

    private bool SameBatch(UpstreamDelivery first, UpstreamDelivery next) =>
        Hosts(first.DestinationLink) && !first.Parted && !next.Parted
        && string.Equals(first.DestinationLink, next.DestinationLink, StringComparison.Ordinal)
        && string.Equals(first.SourceLink, next.SourceLink, StringComparison.Ordinal)
        && string.Equals(first.SourceNode, next.SourceNode, StringComparison.Ordinal);

    private async Task OfferedAsync(UpstreamConnector from, UpstreamOffer offer)
    {
        Interlocked.Increment(ref _offers);
        if (Hosts(offer.DestinationLink) || await BridgesAsync(from, offer.DestinationLink).ConfigureAwait(false))
        {
            StationMetrics.Claimed.Add(1);
            StationLog.Claimed(_logger, _options.Name, offer.MessageId, offer.DestinationLink, from.Endpoint);
            await from.TryWriteAsync(new StationClaimFrame(offer.MessageId), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        StationMetrics.Passed.Add(1);
        byte ttl = offer.Ttl > 0 ? (byte)(offer.Ttl - 1) : (byte)0;
        await from.TryWriteAsync(new StationPassFrame(offer.MessageId, ttl), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task DeliverAsync(UpstreamConnector from, IReadOnlyList<UpstreamEvent> events, int start, int end)
    {
        var first = (UpstreamDelivery)events[start];
        if (!Hosts(first.DestinationLink))
        {
            await BridgeAsync(from, first).ConfigureAwait(false);
            return;
        }

        if (first.Parted)
        {
            await ReceivePartedAsync(from, first).ConfigureAwait(false);
            return;
        }

        var commands = new SendCommand[end - start];
        long nowUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        for (int k = start; k < end; k++)
        {
            var d = (UpstreamDelivery)events[k];
            _inbound[d.MessageId] = new InboundDelivery(from, d.Sequence);
            uint ttlMs = d.DeadlineUs == 0 ? 0 : (uint)Math.Clamp((d.DeadlineUs - nowUs) / 1000, 1, uint.MaxValue);
            commands[k - start] = new SendCommand(d.MessageId, d.Port, false, ttlMs, d.Payload, Reply: d.Reply, TraceParent: d.TraceParent);
        }

        ILinkGrain link = _grains.GetGrain<ILinkGrain>(first.DestinationLink);
        SendOutcome[] outcomes;
        try
        {
            outcomes = await link.SendAsync(new MessageSource(first.SourceLink, first.SourceNode), commands).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StationLog.LocalSendFailed(_logger, _options.Name, first.DestinationLink, e);
            outcomes = [.. commands.Select(_ => SendOutcome.Refused(ErrorCode.Unavailable, "the station's link could not store it"))];
        }

        StationMetrics.Delivered.Add(commands.Length);
        for (int k = 0; k < commands.Length; k++)
        {
            await AnswerLocalSendAsync(from, link, (UpstreamDelivery)events[start + k], outcomes[k]).ConfigureAwait(false);
        }
    }

    /// <summary>How the hosted link took an upstream delivery decides its answer: NACK when refused, ACK when stored or final.</summary>
    private async Task AnswerLocalSendAsync(UpstreamConnector from, ILinkGrain link, UpstreamDelivery d, SendOutcome outcome)
    {
        if (!outcome.Accepted)
        {
            _inbound.TryRemove(d.MessageId, out _);
            await NackAsync(from, d.MessageId, d.Sequence, (ushort)outcome.Code, outcome.Detail ?? outcome.Code.WireName(),
                requeue: outcome.Code == ErrorCode.Unavailable).ConfigureAwait(false);
        }
        else if (!_options.AcknowledgeWhenFinal)
        {
            _inbound.TryRemove(d.MessageId, out _);
            await AnswerAsync(new InboundDelivery(from, d.Sequence), new StatusReport(d.MessageId, d.SourceNode, FinalState.Delivered, 1, 1, 0, "stored"))
                .ConfigureAwait(false);
        }
        else if (outcome.Duplicate)
        {
            // Delivered again (the station's ACK was lost, or the station restarted): answer as the first time.
            await SettleDuplicateAsync(link, d).ConfigureAwait(false);
        }
    }

    private async Task SettleDuplicateAsync(ILinkGrain link, UpstreamDelivery d)
    {
        if (_settled.TryRemove(d.MessageId, out StatusReport? remembered))
        {
            await SettleAsync([remembered]).ConfigureAwait(false);
            return;
        }

        DescriptorAnswer answer = await link.DescribeMessageAsync(d.MessageId, new MessageRequester(d.SourceLink, d.SourceNode, AnySender: true))
            .ConfigureAwait(false);
        if (answer.Descriptor is { State: { } state } descriptor)
        {
            await SettleAsync([new StatusReport(d.MessageId, d.SourceNode, state, 0, 0, descriptor.FinalAtUs, descriptor.Detail)]).ConfigureAwait(false);
        }
    }

    private async Task StatusAsync(UpstreamConnector from, UpstreamStatus status)
    {
        JournalEntry? entry = _journal?.Find(status.MessageId);
        var report = new StatusReport(status.MessageId, entry?.Node ?? string.Empty, status.State, status.Recipients, status.Confirmed, status.AtUs, status.Detail);
        if (entry is null)
        {
            StationLog.UnknownStatus(_logger, _options.Name, status.MessageId, from.Endpoint);
        }
        else if (entry.Bridged)
        {
            await SettleAsync([report]).ConfigureAwait(false);
        }
        else
        {
            try
            {
                // The local sender's link holds the status for its node (and hands it over when the node returns).
                await _grains.GetGrain<ILinkGrain>(entry.Link).ReportStatusAsync([report]).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not confirmed upstream: the interchange holds the STATUS and sends it again.
                StationLog.LocalStatusFailed(_logger, _options.Name, entry.Link, e);
                return;
            }
        }

        if (entry is not null && _journal is not null)
        {
            await _journal.ForgetAsync(status.MessageId).ConfigureAwait(false);
        }

        await EndUploadAsync(status.MessageId, status.State).ConfigureAwait(false);

        await from.TryWriteAsync(new StatusAckFrame(status.MessageId), CancellationToken.None).ConfigureAwait(false);
    }

    // ---- bridging: a station on two interchanges carries messages between them ----

    private async Task<bool> BridgesAsync(UpstreamConnector from, string link)
    {
        foreach (UpstreamConnector other in _connectors)
        {
            if (other == from || !other.IsRegistered)
            {
                continue;
            }

            IReadOnlyDictionary<string, uint> links = await LinksOfAsync(other).ConfigureAwait(false);
            if (links.TryGetValue(link, out uint nodes) && nodes > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The links another interchange names in LINKS, asked at most once a second.</summary>
    private async Task<IReadOnlyDictionary<string, uint>> LinksOfAsync(UpstreamConnector other)
    {
        if (_bridgeLinks.TryGetValue(other.Index, out var cached) && DateTimeOffset.UtcNow - cached.At < TimeSpan.FromSeconds(1))
        {
            return cached.Links;
        }

        try
        {
            Task<UpstreamReply>? reply = await other.StartRequestAsync(default(LinksFrame), CancellationToken.None).ConfigureAwait(false);
            if (reply is null)
            {
                return new Dictionary<string, uint>();
            }

            IReadOnlyDictionary<string, uint> links = (await reply.ConfigureAwait(false)).Links;
            _bridgeLinks[other.Index] = (DateTimeOffset.UtcNow, links);
            return links;
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            return new Dictionary<string, uint>();
        }
    }

    private async Task BridgeAsync(UpstreamConnector from, UpstreamDelivery d)
    {
        UpstreamConnector? to = FirstRegistered(except: from.Index);
        if (to is null || _journal is null || d.Parted)
        {
            await NackAsync(from, d.MessageId, d.Sequence, (ushort)ErrorCode.Unavailable, $"station \"{_options.Name}\" cannot carry it on now",
                requeue: to is null).ConfigureAwait(false);
            return;
        }

        if (_settled.TryRemove(d.MessageId, out StatusReport? remembered))
        {
            await AnswerAsync(new InboundDelivery(from, d.Sequence), remembered).ConfigureAwait(false);
            return;
        }

        _inbound[d.MessageId] = new InboundDelivery(from, d.Sequence);
        await _journal.RecordAsync(new JournalEntry(d.MessageId, d.SourceLink, d.SourceNode, from.Index)).ConfigureAwait(false);
        var command = new SendCommand(d.MessageId, d.Port, false, 0, d.Payload, Reply: d.Reply, TraceParent: d.TraceParent);
        // A SEND with STATION names one of the station's own links as its source (section 5.18): the bridge sends as its
        // first link, with the message's source link as the node, so the receiver still sees where it came from.
        Task<UpstreamReply>? reply = await to.StartRequestAsync(ToSendFrame(command, d.DestinationLink, _options.Links[0], d.SourceLink), CancellationToken.None)
            .ConfigureAwait(false);
        SendOutcome outcome = await OutcomeOfAsync(reply, d.MessageId, d.DestinationLink).ConfigureAwait(false);
        if (!outcome.Accepted)
        {
            _inbound.TryRemove(d.MessageId, out _);
            await NackAsync(from, d.MessageId, d.Sequence, (ushort)outcome.Code, outcome.Detail ?? string.Empty,
                requeue: outcome.Code == ErrorCode.Unavailable).ConfigureAwait(false);
        }
    }

    // ---- shared ----

    private UpstreamConnector? FirstRegistered(int except)
    {
        foreach (UpstreamConnector connector in _connectors)
        {
            if (connector.Index != except && connector.IsRegistered)
            {
                return connector;
            }
        }

        return null;
    }

    private async Task<SendOutcome> OutcomeOfAsync(Task<UpstreamReply>? reply, Guid messageId, string link)
    {
        if (reply is null)
        {
            return SendOutcome.Refused(ErrorCode.Unavailable, $"the interchange for link \"{link}\" went away: send it again");
        }

        try
        {
            UpstreamReply answer = await reply.ConfigureAwait(false);
            if (answer.IsError)
            {
                await _journal!.ForgetAsync(messageId).ConfigureAwait(false);
                return SendOutcome.Refused(answer.Code, answer.Detail);
            }

            return new SendOutcome(ErrorCode.None, answer.Sequence, answer.AcceptedAtUs, answer.Duplicate, null);
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            // Accepted upstream or not, nobody knows: the sender sends again with the same id, which the interchange
            // answers as a duplicate if it has it. The journal entry stays, for a status that may still come.
            return SendOutcome.Refused(ErrorCode.Unavailable, $"the interchange did not answer for link \"{link}\": send it again");
        }
    }

    private static SendFrame ToSendFrame(SendCommand command, string link, string sourceLink, string sourceNode) =>
        new(command.MessageId, Utf8Text.Name(link), Utf8Text.Port(command.Port), command.TtlMs, command.Subtree,
            new StationSource(Utf8Text.Name(sourceLink), Utf8Text.Name(sourceNode)), null, new System.Buffers.ReadOnlySequence<byte>(command.Payload),
            command.TraceParent is { } trace ? new TraceContext(trace) : null)
        {
            Reply = command.Reply is { } reply ? new ReplyInfo(reply.CorrelationId, reply.Link, reply.Port) : null,
        };

    private async Task<bool> AnswerAsync(InboundDelivery delivery, StatusReport report)
    {
        bool written = report.State == FinalState.Delivered
            ? await delivery.From.TryWriteAsync(new AckFrame(report.MessageId, delivery.Sequence), CancellationToken.None).ConfigureAwait(false)
            : await NackAsync(delivery.From, report.MessageId, delivery.Sequence, (ushort)report.State,
                $"{report.State.WireName()} at station \"{_options.Name}\": {report.Detail}", requeue: false).ConfigureAwait(false);
        if (written)
        {
            StationMetrics.Settled.Add(1);
        }

        return written;
    }

    private static Task<bool> NackAsync(UpstreamConnector to, Guid messageId, ulong sequence, ushort reason, string detail, bool requeue) =>
        to.TryWriteAsync(new NackFrame(messageId, sequence, reason, detail, requeue), CancellationToken.None);

    private void Remember(StatusReport report)
    {
        // Answered when the interchange delivers the message again; bounded, since a station that restarts asks its link instead.
        if (_settled.Count >= RememberedSettlements)
        {
            _settled.Clear();
        }

        _settled[report.MessageId] = report;
    }
}
