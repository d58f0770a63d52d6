using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TamTam.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Transfers.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Sessions;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A joined session's side of its link: it batches the SEND, ACK/NACK and STATUS_ACK frames into grain calls,
/// one call of each kind in flight (<see cref="StartCalls"/>; what arrives meanwhile goes in the next), and it
/// is the <see cref="ILinkObserver"/> through which the link's orchestrator pushes DELIVER and STATUS frames
/// to the connection.
/// </summary>
/// <remarks>
/// Observer calls return once their frames are flushed to the transport, so a slow reader slows the link's
/// pushes to this node alone (the link chains pushes per node) and never the gateway's other sessions; what
/// waits meanwhile stays in the node's durable inbox. A push waits at most <see cref="PushWait"/> for a client
/// that is not reading, then answers anyway: the link's ack timeout, not a failed call, handles such a node.
/// </remarks>
internal sealed class SessionLink : ILinkObserver
{
    private readonly GatewaySession _session;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly int _maxInflight;
    private readonly CoalescingCallQueue<(uint Correlation, string Link, SendCommand Command)> _sends;
    private readonly CoalescingCallQueue<(uint Correlation, AckCommand Command)> _acks;
    private readonly CoalescingCallQueue<(uint Correlation, Guid MessageId)> _confirmed;
    private readonly NameCache _names = new();
    private readonly LastDecoded _sentLinks = new();
    private readonly LastDecoded _sentPorts = new();
    private readonly MessageSource _source;

    // SENDs read and not yet answered (queued, or in a link call): the session's in-flight count. An answer
    // frees its place before it is written, so a client that sends again on ACCEPTED never finds it taken.
    private int _awaitingAnswer;
    private ILinkObserver? _reference;

    // 0: no rejoin runs; 1: one runs; 2: one runs and another was asked for meanwhile (the link may have moved again
    // after the running one's JOIN reached it), so it joins once more when done.
    private int _rejoinState;

    /// <summary>
    /// How long a push from the link may wait for a client that is not reading before it answers anyway: well within
    /// Orleans' response timeout (30 s by default), after which the link would take the session for lost.
    /// </summary>
    public static readonly TimeSpan PushWait = TimeSpan.FromSeconds(10);

    /// <summary>The deliver spans of unsettled deliveries, while tracing is on: an ACK's span is their child.</summary>
    private readonly ConcurrentDictionary<Guid, ActivityContext> _deliverSpans = new();
    private const int MaxDeliverSpans = 8192;

    public SessionLink(GatewaySession session, IGrainFactory grains, ILogger logger, int maxInflight, string link, string node)
    {
        _session = session;
        _grains = grains;
        _logger = logger;
        _maxInflight = maxInflight;
        Link = link;
        LinkUtf8 = System.Text.Encoding.UTF8.GetBytes(link);
        Node = node;
        Grain = grains.GetGrain<ILinkGrain>(link);
        _source = new MessageSource(link, node, session.AttachmentId);
        _sends = new(SendAsync, (_, exception) => CallFailed(exception));
        _acks = new(AcknowledgeAsync, (_, exception) => CallFailed(exception));
        _confirmed = new(ConfirmStatusesAsync, (_, exception) => CallFailed(exception));
        Transfers = session.Payloads is { } payloads
            ? new SessionTransfers(session, grains, payloads, logger, session.Options, link, node)
            : null;
    }

    /// <summary>The node's parted transfers; null when the host has no payload store.</summary>
    public SessionTransfers? Transfers { get; }

    public string Link { get; }

    /// <summary><see cref="Link"/> as UTF-8, for the per-SEND token check.</summary>
    public ReadOnlyMemory<byte> LinkUtf8 { get; }

    public string Node { get; }

    public ILinkGrain Grain { get; }

    /// <summary>
    /// Joins the link as <see cref="Node"/>, registering this session as the node's observer, and records the
    /// session in the cluster's session directory so that it can be resumed from any silo.
    /// </summary>
    /// <param name="resume">The session's resume token was verified: restore its node rather than join afresh.</param>
    public async Task<OperationResult> JoinAsync(bool resume = false)
    {
        _reference ??= _grains.CreateObjectReference<ILinkObserver>(this);
        var attachment = new NodeAttachment(Node, _session.AttachmentId, _reference, _session.SessionId, _session.SessionTimeout, resume);
        OperationResult result = await Grain.JoinAsync(attachment).ConfigureAwait(false);
        if (result.Succeeded && _session.SessionTimeout > TimeSpan.Zero)
        {
            await _grains.GetGrain<ISessionGrain>(_session.SessionId)
                .RememberAsync(Link, Node, _session.ResumeToken.SecretHash(), _session.SessionTimeout).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>LEAVE: the node leaves its link and the session is no longer resumable.</summary>
    public async Task<OperationResult> LeaveAsync()
    {
        OperationResult result = await Grain.LeaveAsync(Node, _session.AttachmentId).ConfigureAwait(false);
        if (result.Succeeded && _session.SessionTimeout > TimeSpan.Zero)
        {
            await _grains.GetGrain<ISessionGrain>(_session.SessionId).ForgetAsync().ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Queues a SEND for the next link call; false when the in-flight limit is reached (SENDs read and not yet answered).</summary>
    public bool QueueSend(uint correlation, in SendFrame frame)
    {
        if (Volatile.Read(ref _awaitingAnswer) >= _maxInflight)
        {
            return false;
        }

        Interlocked.Increment(ref _awaitingAnswer);
        string link = frame.DestLink.IsEmpty ? Link : _sentLinks.Decode(frame.DestLink);
        var command = new SendCommand(frame.MessageId, _sentPorts.Decode(frame.DestPort), frame.Subtree, frame.TtlMs, frame.Payload.ToArray(),
            Reply: frame.Reply is { } reply ? ReplyRoutes.From(reply, Link) : null, TraceParent: frame.Trace?.ToString());
        _sends.Add((correlation, link, command));
        return true;
    }

    public void QueueAck(uint correlation, AckCommand command) => _acks.Add((correlation, command));

    /// <summary>Tells the link this node's last round trip, for NODES; a one-way call per heartbeat.</summary>
    public void ReportRoundTrip(uint rttMicroseconds) =>
        BackgroundWork.Run(Grain.ReportRoundTripAsync(Node, _session.AttachmentId, rttMicroseconds), "report the round trip", _logger);

    public void QueueStatusConfirmation(uint correlation, Guid messageId) => _confirmed.Add((correlation, messageId));

    /// <summary>
    /// Sends the frames batched so far to their links, one call of each kind in flight; the answers are written
    /// and flushed when the calls return. The read loop goes on meanwhile: it does not wait for group commits.
    /// </summary>
    public void StartCalls()
    {
        _sends.Start();
        _acks.Start();
        _confirmed.Start();
    }

    /// <summary>Completes once every frame queued so far has been through its link call (before LEAVE, BIND, detach).</summary>
    public Task DrainAsync() => Task.WhenAll(_sends.DrainAsync(), _acks.DrainAsync(), _confirmed.DrainAsync());

    private async Task AcknowledgeAsync((uint Correlation, AckCommand Command)[] acks)
    {
        var commands = new AckCommand[acks.Length];
        for (int i = 0; i < acks.Length; i++)
        {
            commands[i] = acks[i].Command;
        }

        long started = Stopwatch.GetTimestamp();
        ErrorCode[] results = await Grain.AcknowledgeAsync(Node, _session.AttachmentId, commands).ConfigureAwait(false);
        bool refused = false;
        for (int i = 0; i < results.Length; i++)
        {
            ActivityContext delivered = default;
            if (results[i] == ErrorCode.None)
            {
                _deliverSpans.TryRemove(commands[i].MessageId, out delivered);
            }

            _session.Messages.Settled(commands[i], Link, Node, results[i], started, delivered);
            if (results[i] == ErrorCode.NotJoined)
            {
                // The link does not know this connection as its node: a new activation of it (its silo died, and it came
                // back elsewhere) that nobody told about this session. The deliveries come again once it is joined.
                RequestRejoin("the link answered an acknowledgement as from a node not joined");
            }

            if (results[i] != ErrorCode.None)
            {
                refused = true;
                await _session.Output.WriteErrorAsync(results[i], AckRefusal(results[i], acks[i].Command), fatal: false, acks[i].Correlation,
                    _session.Closing).ConfigureAwait(false);
            }
        }

        if (refused)
        {
            await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
        }
    }

    private async Task ConfirmStatusesAsync((uint Correlation, Guid MessageId)[] confirmations)
    {
        var ids = new Guid[confirmations.Length];
        for (int i = 0; i < confirmations.Length; i++)
        {
            ids[i] = confirmations[i].MessageId;
        }

        ErrorCode[] results = await Grain.ConfirmStatusAsync(Node, ids).ConfigureAwait(false);
        bool refused = false;
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i] != ErrorCode.None)
            {
                refused = true;
                await _session.Output.WriteErrorAsync(results[i], StatusAckRefusal(results[i], ids[i]), fatal: false, confirmations[i].Correlation,
                    _session.Closing).ConfigureAwait(false);
            }
        }

        if (refused)
        {
            await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
        }
    }

    private void CallFailed(Exception exception)
    {
        if (exception is OperationCanceledException && _session.Closing.IsCancellationRequested)
        {
            return; // the session is closing: its answers have nowhere to go
        }

        _logger.LinkCallFailed(exception, _session.ConnectionId, Link);
        if (ClusterFailure.IsSiloLoss(exception))
        {
            // The link's silo went away: the link comes back on another, which does not know this session. Join it there
            // rather than end a connection that is fine: what this call carried is not lost (the deliveries it acknowledged
            // come again, the statuses it confirmed too), and the client need not reconnect.
            RequestRejoin("a call to the link found its silo gone");
            return;
        }

        // As when the read loop made these calls itself: the session ends, and the client resumes on a new one.
        _session.RequestClose(new CloseRequest(ErrorCode.Unavailable, $"link \"{Link}\" did not answer; resume the session", 0));
    }

    /// <summary>The session ended without LEAVE: the node stays in the link, its inbox waits for it.</summary>
    public async Task DetachAsync()
    {
        try
        {
            await Grain.DetachAsync(Node, _session.AttachmentId).ConfigureAwait(false);
        }
        finally
        {
            ReleaseReference();
        }
    }

    public void ReleaseReference()
    {
        if (_reference is not null)
        {
            _grains.DeleteObjectReference<ILinkObserver>(_reference);
            _reference = null;
        }
    }

    public async Task DeliverAsync(Delivery[] deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        using CancellationTokenSource push = BoundPush();
        try
        {
            // A resumed session's inbox is pushed as soon as it attaches, before WELCOME is written: hold it until then.
            await _session.Welcomed.ConfigureAwait(false);

            // Pushes to one node are chained by its link, so this cache is never used by two calls at once.
            foreach (Delivery d in deliveries)
            {
                await WriteDeliveryAsync(d, push.Token).ConfigureAwait(false);
            }

            await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (push.IsCancellationRequested && !_session.Closing.IsCancellationRequested)
        {
            // The client is not reading: what was written leaves when it reads, what was not is delivered again after
            // the link's ack timeout. The session stays attached; a connection that takes nothing ends with 210.
            _logger.PushNotFlushed(_session.ConnectionId, Link, Node, deliveries.Length, (long)PushWait.TotalMilliseconds);
        }
        catch (Exception exception) when (!_session.Closing.IsCancellationRequested)
        {
            // A push this session cannot write ends the session: a node must never look offline to its link while
            // its connection stays open. The client resumes, and the link delivers again.
            _session.Fail(exception);
            throw;
        }
    }

    public async Task StatusAsync(StatusReport[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        using CancellationTokenSource push = BoundPush();
        try
        {
            await _session.Welcomed.ConfigureAwait(false);
            foreach (StatusReport s in statuses)
            {
                var frame = new StatusFrame(s.MessageId, s.State, s.Recipients, s.Confirmed, s.AtUs, s.Detail);
                await _session.Output.WriteAsync(frame, 0, push.Token).ConfigureAwait(false);
                _session.Messages.Final(s, Link, Node);
            }

            await _session.Output.FlushAsync(push.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (push.IsCancellationRequested && !_session.Closing.IsCancellationRequested)
        {
            // Statuses are held until confirmed: one not written now is pushed again when the node joins again.
            _logger.PushNotFlushed(_session.ConnectionId, Link, Node, statuses.Length, (long)PushWait.TotalMilliseconds);
        }
        catch (Exception exception) when (!_session.Closing.IsCancellationRequested)
        {
            _session.Fail(exception);
            throw;
        }
    }

    /// <summary>
    /// Tells this connection that its session was resumed on another connection: it ends with the fatal error 213
    /// and nothing it read after this call reaches the link.
    /// </summary>
    public Task SupersededAsync()
    {
        _session.Supersede();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Cancels at <see cref="PushWait"/> or when the session closes: a push answers its link in time whatever the
    /// client does, so that a link never takes a slow reader for a lost session.
    /// </summary>
    private CancellationTokenSource BoundPush()
    {
        var push = CancellationTokenSource.CreateLinkedTokenSource(_session.Closing);
        push.CancelAfter(PushWait);
        return push;
    }

    private async ValueTask WriteDeliveryAsync(Delivery d, CancellationToken cancellationToken)
    {
        TransferInfo? parted = d.Transfer is { } transfer && Transfers is { } transfers ? transfers.InfoFor(transfer) : null;
        var frame = new DeliverFrame(d.MessageId, d.Sequence, d.PortSequence, _names.Name(d.SourceLink), _names.Name(d.SourceNode),
            _names.Name(d.Link), _names.Port(d.Port), d.Attempt, d.DeadlineUs, d.Redelivery, parted, new ReadOnlySequence<byte>(d.Payload),
            d.TraceParent is { } traceParent ? new TraceContext(traceParent) : null)
        {
            Reply = d.Reply is { } reply ? ReplyRoutes.ToWire(reply) : null,
        };
        using Activity? span = _session.Messages.Delivering(d, Node);
        if (span is not null)
        {
            // The ACK of this delivery is traced as a child of it: one entry per unsettled delivery, which the window
            // bounds; deliveries that are never settled here (expired, resumed elsewhere) are let go past a cap.
            if (_deliverSpans.Count >= MaxDeliverSpans)
            {
                _deliverSpans.Clear();
            }

            _deliverSpans[d.MessageId] = span.Context;
        }

        bool inlineAsParts = false;
        if (parted is null && frame.FieldsLength + d.Payload.Length > _session.Output.PeerMaxBody)
        {
            if (Transfers is not { } outbound)
            {
                // Without a payload store no parts can be streamed: the node refuses the message, which its sender hears,
                // and the deliveries behind it go on. (The link is reentrant: it takes this call while it awaits the push.)
                await Grain.AcknowledgeAsync(Node, _session.AttachmentId, [new AckCommand(d.MessageId, d.Sequence, Nack: true, Requeue: false, 0,
                    $"{d.Payload.Length} bytes do not fit the receiver's max_body of {_session.Output.PeerMaxBody}")]).ConfigureAwait(false);
                return;
            }

            // Too large for one frame to this node (docs/protocol.md section 7): it travels as parts of the node's size.
            parted = outbound.InlineInfoFor(d.Payload);
            frame = frame with { Transfer = parted, Payload = ReadOnlySequence<byte>.Empty };
            inlineAsParts = true;
            _logger.DeliveredAsParts(_session.ConnectionId, d.MessageId, d.Payload.Length, _session.Output.PeerMaxBody);
        }

        await _session.Output.WriteAsync(frame, 0, cancellationToken).ConfigureAwait(false);
        if (parted.HasValue)
        {
            // The parts follow the DELIVER (written already), streamed beside this push, which returns once its
            // frames are flushed; they start even if that flush is cut short, so that the DELIVER never comes alone.
            if (inlineAsParts)
            {
                Transfers!.StartInlineOutbound(d);
            }
            else
            {
                Transfers!.StartOutbound(d);
            }

            await _session.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task RelinkAsync()
    {
        // The old activation waits for this call while it deactivates, and the new one cannot start
        // before it is gone: join again once this call has returned.
        RequestRejoin("the link is moving");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Joins the link again as <see cref="Node"/> in the background (once, however many ask meanwhile): after the link's
    /// activation was lost with its silo, the new one pushes this node its held statuses and inbox only once the node
    /// is joined there. Gives up after <see cref="RejoinBound"/>: then the session ends and the client resumes.
    /// </summary>
    public void RequestRejoin(string why)
    {
        if (_session.Closing.IsCancellationRequested || _session.IsSuperseded)
        {
            return;
        }

        while (true)
        {
            int state = Volatile.Read(ref _rejoinState);
            if (state == 0 && Interlocked.CompareExchange(ref _rejoinState, 1, 0) == 0)
            {
                _logger.Rejoining(_session.ConnectionId, Link, Node, why);
                BackgroundWork.Run(Task.Run(RejoinAsync), "join the link again", _logger);
                return;
            }

            if (state == 2 || (state == 1 && Interlocked.CompareExchange(ref _rejoinState, 2, 1) == 1))
            {
                return;
            }
        }
    }

    /// <summary>How long a rejoin keeps trying a link that does not answer (its silo's death not yet declared, its log being taken over).</summary>
    public static readonly TimeSpan RejoinBound = TimeSpan.FromSeconds(20);

    private async Task RejoinAsync()
    {
        try
        {
            do
            {
                await JoinUntilAnsweredAsync().ConfigureAwait(false);
            }
            while (Interlocked.CompareExchange(ref _rejoinState, 0, 1) == 2 && Interlocked.Exchange(ref _rejoinState, 1) == 2);
        }
        catch
        {
            Volatile.Write(ref _rejoinState, 0);
            throw;
        }
    }

    private async Task JoinUntilAnsweredAsync()
    {
        long started = Stopwatch.GetTimestamp();
        for (int attempt = 1; !_session.Closing.IsCancellationRequested && !_session.IsSuperseded; attempt++)
        {
            try
            {
                OperationResult result = await JoinAsync().ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    _logger.RelinkRefused(_session.ConnectionId, Link, Node, result.Code, result.Detail ?? "");
                }
                else
                {
                    _logger.Rejoined(_session.ConnectionId, Link, Node, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, attempt);
                }

                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.RelinkFailed(exception, _session.ConnectionId, Link, Node, attempt);
                if (Stopwatch.GetElapsedTime(started) >= RejoinBound)
                {
                    _session.RequestClose(new CloseRequest(ErrorCode.Unavailable, $"link \"{Link}\" did not take this session back; resume the session", 0));
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), _session.Closing).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync((uint Correlation, string Link, SendCommand Command)[] sends)
    {
        if (_session.IsSuperseded)
        {
            // Read before the takeover was heard of, and not passed on: another connection acts for the node now.
            Interlocked.Add(ref _awaitingAnswer, -sends.Length);
            return;
        }

        // A read's SENDs mostly go to one link: one call, with no grouping.
        string first = sends[0].Link;
        if (Array.TrueForAll(sends, s => string.Equals(s.Link, first, StringComparison.Ordinal)))
        {
            await SendToLinkAsync(first, sends, _session.Closing).ConfigureAwait(false);
        }
        else
        {
            foreach (IGrouping<string, (uint Correlation, string Link, SendCommand Command)> group in sends.GroupBy(s => s.Link, StringComparer.Ordinal))
            {
                await SendToLinkAsync(group.Key, [.. group], _session.Closing).ConfigureAwait(false);
            }
        }

        await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
    }

    private async ValueTask SendToLinkAsync(string link, (uint Correlation, string Link, SendCommand Command)[] batch, CancellationToken cancellationToken)
    {
        var commands = new SendCommand[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            commands[i] = batch[i].Command;
        }

        SendOutcome[] outcomes;
        long started = Stopwatch.GetTimestamp();
        try
        {
            outcomes = await _grains.GetGrain<ILinkGrain>(link).SendAsync(_source, commands).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.LinkCallFailed(exception, _session.ConnectionId, link);
            outcomes = new SendOutcome[batch.Length];
            Array.Fill(outcomes, SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{link}\" is unavailable; send again"));
        }

        for (int i = 0; i < batch.Length; i++)
        {
            Interlocked.Decrement(ref _awaitingAnswer);
            SendOutcome outcome = outcomes[i];
            _session.Messages.Answered(batch[i].Command, link, outcome, started);
            if (outcome.Code == ErrorCode.SessionTakenOver)
            {
                // The link found the node held by another connection of this session: this one ends with 213.
                _session.Supersede();
            }
            else if (outcome.Accepted)
            {
                var accepted = new AcceptedFrame(batch[i].Command.MessageId, outcome.Sequence, outcome.AcceptedAtUs, outcome.Duplicate);
                await _session.Output.WriteAsync(accepted, batch[i].Correlation, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _session.Output.WriteErrorAsync(outcome.Code, outcome.Detail ?? outcome.Code.ToString(), fatal: false, batch[i].Correlation,
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string AckRefusal(ErrorCode code, AckCommand command) => code switch
    {
        ErrorCode.UnknownDelivery => $"no delivery of message {command.MessageId} (sequence {command.Sequence}) is pending for this node",
        ErrorCode.NotJoined => "this session is not the node's current session; join again",
        ErrorCode.Unavailable => "the link could not store the acknowledgement; the delivery stays pending and comes again: answer it again",
        _ => $"the link could not take the acknowledgement ({(ushort)code})",
    };

    private static string StatusAckRefusal(ErrorCode code, Guid messageId) => code switch
    {
        ErrorCode.UnknownMessage => $"no status of message {messageId} is held for this node (never sent, or confirmed longer ago than the link remembers)",
        ErrorCode.Unavailable => $"the link could not store the confirmation of message {messageId}; its STATUS comes again",
        _ => $"the link could not take the confirmation of message {messageId} ({(ushort)code})",
    };
}
