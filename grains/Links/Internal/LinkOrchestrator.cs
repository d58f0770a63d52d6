using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// A link's orchestration, without Orleans: it accepts and routes messages, settles deliveries, schedules retries,
/// expires deadlines and picks what to dispatch. Each operation decides at once, between two awaits of the grain:
/// it applies its records to the <see cref="LinkLedger"/> (the only thing that changes state) and returns the records
/// to make durable and what to push out once they are. <c>LinkGrain</c> is its shell: activation, timers, commits,
/// push chains and calls to other grains.
/// </summary>
internal sealed class LinkOrchestrator(LinkLedger ledger, OrchestratorOptions options, TimeProvider time)
{
    private readonly RecipientRouter _router = new();
    private readonly List<(Guid MessageId, FinalState State)> _endedTransfers = [];

    public LinkLedger Ledger { get; } = ledger;

    public OrchestratorOptions Options { get; } = options;

    public string Link => Ledger.Link;

    /// <summary>Finalized statuses for another link being handed over, by sequence: not to forward twice.</summary>
    public HashSet<ulong> Forwarding { get; } = [];

    public long NowUs() => (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>After a restart nobody knows which deliveries reached their node: all count as redeliveries.</summary>
    public void Restarted()
    {
        foreach (PendingMessage message in Ledger.Messages.Values)
        {
            foreach (Recipient recipient in message.Recipients)
            {
                recipient.MaybeDelivered = true;
            }
        }

        Ledger.PruneRemembered(NowUs());
    }

    /// <summary>
    /// JOIN: attaches the node's session, or refuses it. <paramref name="joined"/> is the membership record to make
    /// durable (applied already) when the node was no member.
    /// </summary>
    public OperationResult? Join(NodeAttachment attachment, out NodeState node, out NodeJoined? joined)
    {
        joined = null;
        node = Ledger.Node(attachment.Node);
        long now = NowUs();
        if (SessionRules.Refusal(node, attachment, now, Link) is { } refusal)
        {
            return refusal;
        }

        if (node.IsOnline && node.SessionId != attachment.SessionId)
        {
            // The same session resuming from a new connection before its old one was noticed gone: the old
            // connection's deliveries go back to the inbox and are sent again on the new one.
            Detach(node);
        }

        node.Attach(attachment.SessionId, attachment.Observer);
        node.Hold(attachment.EffectiveSession, (long)attachment.SessionTimeout.TotalMicroseconds);
        if (!node.IsMember)
        {
            joined = new NodeJoined(attachment.Node);
            Ledger.Apply(joined, 0);
        }

        return null;
    }

    /// <summary>
    /// LEAVE of a node whose session <paramref name="state"/> is: its membership, its unconfirmed statuses, and each
    /// delivery in its inbox, moved to another unicast binder or settled NO_ROUTE. Returns the nodes that got deliveries.
    /// </summary>
    public HashSet<string> Leave(NodeState state, long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        string node = state.Name;
        Apply(records, new NodeLeft(node));

        // A node that leaves gives up the statuses it has not confirmed: nobody would collect them.
        Guid[] held = [.. Ledger.HeldStatusesFor(node).Select(s => s.MessageId)];
        if (held.Length > 0)
        {
            Apply(records, new StatusesConfirmed(node, held));
        }

        var reassigned = new HashSet<string>(StringComparer.Ordinal);
        foreach (Recipient recipient in state.Inbox.Values.ToArray())
        {
            PendingMessage message = recipient.Message;
            string? target = recipient.Unicast
                ? _router.Reassign(Ledger, message, node, HasRoomFor(message.Accepted.Payload.Length))
                : null;
            if (target is not null)
            {
                Apply(records, new RecipientReassigned(message.Sequence, node, target));
                reassigned.Add(target);
            }
            else
            {
                Apply(records, new RecipientSettled(message.Sequence, node, RecipientOutcome.NoRoute));
                FinalizeIfSettled(message, now, records, finalized);
            }
        }

        state.Detach();
        state.Release();
        return reassigned;
    }

    /// <summary>BIND: the record to make durable (applied already), or the refusal.</summary>
    public OperationResult? Bind(string node, PortBinding binding, out PortBound? record)
    {
        record = null;
        foreach (PortBound existing in Ledger.Bindings)
        {
            if (existing.Port == binding.Port && existing.Mode != binding.Mode)
            {
                return OperationResult.Fail(ErrorCode.PortModeConflict,
                    $"port \"{binding.Port}\" is bound as {existing.Mode.ToString().ToLowerInvariant()}, not {binding.Mode.ToString().ToLowerInvariant()}");
            }
        }

        record = new PortBound(node, binding.Port, binding.Mode, binding.Subtree);
        Ledger.Apply(record, 0);
        return null;
    }

    /// <summary>UNBIND: the record to make durable (applied already), or the refusal.</summary>
    public OperationResult? Unbind(string node, string port, bool subtree, out PortUnbound? record)
    {
        record = null;
        if (!Ledger.Bindings.Exists(b => b.Node == node && b.Port == port && b.Subtree == subtree))
        {
            return OperationResult.Fail(ErrorCode.NotBound, $"node \"{node}\" has no binding of port \"{port}\"{(subtree ? " (subtree)" : "")}");
        }

        record = new PortUnbound(node, port, subtree);
        Ledger.Apply(record, 0);
        return null;
    }

    /// <summary>
    /// A batch of SENDs: each accepted (its <see cref="MessageAccepted"/> applied and added to <paramref name="records"/>,
    /// its message to <paramref name="created"/>), answered as a duplicate (an original still pending in
    /// <paramref name="duplicates"/>: the answer waits until it is durable) or refused.
    /// </summary>
    public SendOutcome[] Send(MessageSource source, SendCommand[] batch, long now, List<LinkRecord> records, List<PendingMessage> created,
        out List<PendingMessage>? duplicates)
    {
        var outcomes = new SendOutcome[batch.Length];
        duplicates = null;
        for (int i = 0; i < batch.Length; i++)
        {
            SendCommand command = batch[i];
            if (Ledger.TryGetAccepted(source.Link, source.Node, command.MessageId, out ulong sequence))
            {
                outcomes[i] = new SendOutcome(ErrorCode.None, sequence, now, Duplicate: true, null);
                if (Ledger.Messages.TryGetValue(sequence, out PendingMessage? original))
                {
                    outcomes[i] = outcomes[i] with { AcceptedAtUs = original.Accepted.AcceptedAtUs };
                    (duplicates ??= []).Add(original);
                }

                continue;
            }

            outcomes[i] = Accept(source, command, now, records, created);
        }

        return outcomes;
    }

    /// <summary>The nodes that <paramref name="created"/> messages go to, each once: one dispatch each sends all that is due.</summary>
    public static HashSet<string> RecipientNodes(List<PendingMessage> created)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (PendingMessage message in created)
        {
            foreach (Recipient recipient in message.Recipients)
            {
                nodes.Add(recipient.Node);
            }
        }

        return nodes;
    }

    /// <summary>
    /// One node's ACKs and NACKs: each settles its delivery (the batch's settlements, applied at once, by the same
    /// ledger function replay uses) or requeues it; <paramref name="results"/> gets 304 for a delivery not in flight.
    /// </summary>
    public List<Settlement> Acknowledge(string node, AckCommand[] batch, long now, ErrorCode[] results, List<MessageFinalized> finalized)
    {
        var settlements = new List<Settlement>(batch.Length);
        for (int i = 0; i < batch.Length; i++)
        {
            AckCommand ack = batch[i];
            Recipient? recipient = Ledger.Messages.TryGetValue(ack.Sequence, out PendingMessage? message) && message.MessageId == ack.MessageId
                ? message.RecipientFor(node)
                : null;
            if (recipient is null || recipient.State != RecipientState.InFlight)
            {
                results[i] = ErrorCode.UnknownDelivery;
                continue;
            }

            if (ack.Nack && ack.Requeue && Retry(recipient, now))
            {
                continue; // requeued: the next attempt is scheduled, nothing settles
            }

            RecipientOutcome outcome = !ack.Nack ? RecipientOutcome.Acknowledged
                : !ack.Requeue ? RecipientOutcome.Rejected
                : RecipientOutcome.Undeliverable;

            // Applied at once: a second answer to this delivery within the batch finds it settled.
            var settlement = new Settlement(ack.Sequence, outcome);
            settlements.Add(settlement);
            if (Ledger.Settle(node, settlement, now) is { } final)
            {
                Finalized(message!, final, finalized);
            }
        }

        return settlements;
    }

    /// <summary>
    /// STATUS_ACKs of <paramref name="node"/>: the confirmation record of the held statuses (applied already), and
    /// 307 in <paramref name="results"/> for an id neither held nor confirmed within the duplicate window.
    /// </summary>
    public StatusesConfirmed? ConfirmStatuses(string node, Guid[] messageIds, ErrorCode[] results)
    {
        List<Guid>? held = null;
        for (int i = 0; i < messageIds.Length; i++)
        {
            Guid id = messageIds[i];
            if (Ledger.HoldsStatus(node, id))
            {
                held ??= new List<Guid>(messageIds.Length);
                if (!held.Contains(id))
                {
                    held.Add(id);
                }
            }
            else if (!Ledger.ConfirmedRecently(node, id))
            {
                // A repeat of a confirmation made durable (before a restart too) is known for the duplicate window;
                // anything else names no status this link holds for the node.
                results[i] = ErrorCode.UnknownMessage;
            }
        }

        if (held is null)
        {
            return null;
        }

        var record = new StatusesConfirmed(node, [.. held]);
        Ledger.Apply(record, 0);
        return record;
    }

    /// <summary>Statuses another link reports for this link's nodes: those not held yet are held (records applied) and returned.</summary>
    public List<StatusReport> HoldStatuses(StatusReport[] reports, List<LinkRecord> records)
    {
        var fresh = new List<StatusReport>();
        foreach (StatusReport report in reports)
        {
            if (!Ledger.HoldsStatus(report.SenderNode, report.MessageId))
            {
                Apply(records, new StatusHeld(report.MessageId, report.SenderNode, report.State, report.Recipients, report.Confirmed, report.AtUs, report.Detail));
                fresh.Add(report);
            }
        }

        return fresh;
    }

    /// <summary>
    /// One tick: forgets ids past the duplicate window, expires messages past their deadline, and retries (or settles
    /// as undeliverable) deliveries whose ack timed out.
    /// </summary>
    public void Tick(long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        Ledger.PruneRemembered(now);
        foreach (PendingMessage message in Ledger.Messages.Values.ToArray())
        {
            if (message.Lsn == 0)
            {
                continue;
            }

            bool expired = message.Accepted.DeadlineUs > 0 && message.Accepted.DeadlineUs <= now;
            foreach (Recipient recipient in message.Recipients)
            {
                if (recipient.State == RecipientState.Settled)
                {
                    continue;
                }

                if (expired)
                {
                    Apply(records, new RecipientSettled(message.Sequence, recipient.Node, RecipientOutcome.Expired));
                }
                else if (recipient.State == RecipientState.InFlight && recipient.DueUs <= now && !Retry(recipient, now))
                {
                    Apply(records, new RecipientSettled(message.Sequence, recipient.Node, RecipientOutcome.Undeliverable));
                }
            }

            FinalizeIfSettled(message, now, records, finalized);
        }
    }

    /// <summary>
    /// What is due from <paramref name="node"/>'s inbox, in link order, up to its window: each is in flight from now on
    /// (unsent until its push returns). Null when nothing is due or the node is offline. <paramref name="attempts"/>:
    /// the redeliveries' records, applied already.
    /// </summary>
    public (Delivery[] Deliveries, List<Recipient> Sent)? TakeDue(NodeState node, long now, out List<LinkRecord>? attempts)
    {
        attempts = null;
        if (!node.IsOnline || node.InFlight >= Options.DeliveryWindow)
        {
            return null;
        }

        List<Delivery>? deliveries = null;
        List<Recipient>? sent = null;
        foreach (Recipient recipient in node.Inbox.Values)
        {
            if (node.InFlight >= Options.DeliveryWindow)
            {
                break;
            }

            PendingMessage message = recipient.Message;
            if (recipient.State != RecipientState.Waiting || recipient.DueUs > now || message.Lsn == 0)
            {
                continue;
            }

            recipient.Attempt++;
            recipient.State = RecipientState.InFlight;
            recipient.DueUs = Recipient.Unsent;
            node.InFlight++;
            if (recipient.Attempt > 1)
            {
                (attempts ??= []).Add(new DeliveryAttempted(message.Sequence, node.Name, recipient.Attempt));
            }

            MessageAccepted a = message.Accepted;
            (deliveries ??= []).Add(new Delivery(a.MessageId, a.Sequence, a.PortSequence, a.SourceLink, a.SourceNode, Link, a.Port,
                recipient.Attempt, a.DeadlineUs, recipient.Attempt > 1 || recipient.MaybeDelivered, a.Payload, a.Transfer));
            (sent ??= []).Add(recipient);
        }

        return deliveries is null ? null : ([.. deliveries], sent!);
    }

    /// <summary>
    /// The node's session has written these deliveries to its connection at <paramref name="now"/>: their ack timeouts
    /// start (the ack timeout runs from when the node has the delivery, not from when it was queued).
    /// </summary>
    public void Pushed(Delivery[] deliveries, List<Recipient> sent, long now)
    {
        for (int i = 0; i < sent.Count; i++)
        {
            Recipient recipient = sent[i];
            if (recipient.State == RecipientState.InFlight && recipient.DueUs == Recipient.Unsent && recipient.Attempt == deliveries[i].Attempt)
            {
                recipient.DueUs = now + (long)Options.AckTimeoutFor(recipient.Message.Accepted.Transfer).TotalMicroseconds;
            }
        }
    }

    /// <summary>The node's session is gone: its in-flight deliveries go back to its inbox, due at once, as redeliveries.</summary>
    public void Detach(NodeState node)
    {
        node.Detach();
        node.Reserve(NowUs());
        node.InFlight = 0;
        foreach (Recipient recipient in node.Inbox.Values)
        {
            if (recipient.State == RecipientState.InFlight)
            {
                recipient.State = RecipientState.Waiting;
                recipient.DueUs = 0;
                recipient.MaybeDelivered = true;
            }
        }
    }

    /// <summary>
    /// The statuses of <paramref name="finalized"/> messages of this link's own nodes, by sender, as pushed to each.
    /// <paramref name="remote"/>: some are of other links' messages, to forward.
    /// </summary>
    public List<(string Node, StatusReport[] Reports)> StatusesBySender(List<MessageFinalized> finalized, out bool remote)
    {
        var pushes = new List<(string Node, StatusReport[] Reports)>();
        remote = false;
        if (finalized.Count == 0)
        {
            return pushes;
        }

        // Most batches finalize the messages of one sender: they need no grouping.
        string? sender = null;
        int local = 0;
        bool severalSenders = false;
        foreach (MessageFinalized f in finalized)
        {
            if (f.SourceLink == Link)
            {
                local++;
                severalSenders |= sender is not null && sender != f.SourceNode;
                sender ??= f.SourceNode;
            }
        }

        if (severalSenders)
        {
            var groups = new Dictionary<string, List<StatusReport>>(StringComparer.Ordinal);
            foreach (MessageFinalized f in finalized)
            {
                if (f.SourceLink == Link)
                {
                    (groups.TryGetValue(f.SourceNode, out List<StatusReport>? group) ? group : groups[f.SourceNode] = []).Add(HeldReport(f));
                }
            }

            foreach ((string node, List<StatusReport> group) in groups)
            {
                pushes.Add((node, [.. group]));
            }
        }
        else if (sender is not null)
        {
            var reports = new StatusReport[local];
            int next = 0;
            foreach (MessageFinalized f in finalized)
            {
                if (f.SourceLink == Link)
                {
                    reports[next++] = HeldReport(f);
                }
            }

            pushes.Add((sender, reports));
        }

        remote = local < finalized.Count;
        return pushes;
    }

    /// <summary>The parted messages that ended since the last call, for their transfer grains to remove the payloads.</summary>
    public (Guid MessageId, FinalState State)[] TakeEndedTransfers()
    {
        (Guid MessageId, FinalState State)[] ended = [.. _endedTransfers];
        _endedTransfers.Clear();
        return ended;
    }

    /// <summary>Durable statuses of other links' messages not yet handed over, now marked as being forwarded.</summary>
    public List<MessageFinalized> TakeUnforwarded() =>
        Ledger.Unforwarded.Values.Where(u => u.Lsn > 0 && Forwarding.Add(u.Record.Sequence)).Select(u => u.Record).ToList();

    /// <summary>The statuses of a <see cref="RecipientsSettled"/> batch are durable now (or never will be): they may be forwarded.</summary>
    public void ReleaseForwarding(List<MessageFinalized> finalized)
    {
        foreach (MessageFinalized final in finalized)
        {
            if (final.SourceLink != Link)
            {
                Forwarding.Remove(final.Sequence);
            }
        }
    }

    /// <summary>
    /// Why a message of <paramref name="size"/> bytes to <paramref name="port"/> would be refused now (300 or 302), or
    /// null with its recipients.
    /// </summary>
    public SendOutcome? RouteRefusal(
        string port, bool subtree, int size, string? sender, bool rotate, out PortMode mode, out List<string> recipients, out int unicastFrom)
    {
        mode = PortMode.Unicast;
        recipients = [];
        unicastFrom = 0;
        if (!Ledger.Exists)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, $"link \"{Link}\" has no nodes");
        }

        InboxRoom hasRoom = HasRoomFor(size);
        (mode, recipients, unicastFrom) = _router.Resolve(Ledger, port, subtree, hasRoom, sender, rotate);
        if (recipients.Count == 0)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, mode == PortMode.Broadcast
                ? $"link \"{Link}\" has no member but the sender to broadcast port \"{port}\" to"
                : $"no node of link \"{Link}\" is bound to port \"{port}\"");
        }

        foreach (string name in recipients)
        {
            NodeState node = Ledger.Node(name);
            if (!hasRoom.For(node))
            {
                return SendOutcome.Refused(ErrorCode.QuotaExceeded,
                    $"the inbox of node \"{name}\" is full ({node.Inbox.Count} messages, {node.InboxBytes} bytes); try again later");
            }
        }

        return null;
    }

    /// <summary>The sending node when it is of this link: a broadcast leaves it out.</summary>
    public string? SenderOf(MessageSource source) => source.Link == Link ? source.Node : null;

    public bool TryGetSession(string node, Guid sessionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeState? state) =>
        Ledger.Nodes.TryGetValue(node, out state) && state.IsMember && state.IsOnline && state.SessionId == sessionId;

    public LinkSummary Summary()
    {
        uint members = 0;
        foreach (NodeState node in Ledger.Nodes.Values)
        {
            members += node.IsMember ? 1u : 0u;
        }

        return new LinkSummary(Link, members, Ledger.LastSequence);
    }

    public NodeSummary[] NodeSummaries()
    {
        var nodes = new List<NodeSummary>();
        foreach (NodeState node in Ledger.Nodes.Values)
        {
            if (node.IsMember)
            {
                nodes.Add(new NodeSummary(node.Name, node.IsOnline, node.Inbox.Count));
            }
        }

        nodes.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node));
        return [.. nodes];
    }

    public PortBinding[] BindingsOf(string node)
    {
        var bindings = new List<PortBinding>();
        foreach (PortBound bound in Ledger.Bindings)
        {
            if (bound.Node == node)
            {
                bindings.Add(new PortBinding(bound.Port, bound.Mode, bound.Subtree));
            }
        }

        return [.. bindings];
    }

    public static StatusReport ToReport(MessageFinalized f) =>
        new(f.MessageId, f.SourceNode, f.State, f.Recipients, f.Confirmed, f.AtUs, f.Detail);

    /// <summary>Applies <paramref name="record"/> to the ledger and adds it to the records to make durable.</summary>
    public void Apply(List<LinkRecord> records, LinkRecord record)
    {
        Ledger.Apply(record, 0);
        records.Add(record);
    }

    private SendOutcome Accept(MessageSource source, SendCommand command, long now, List<LinkRecord> records, List<PendingMessage> created)
    {
        int size = command.Payload.Length;
        if (size > Options.MaxMessageBytes)
        {
            return SendOutcome.Refused(ErrorCode.MessageTooLarge, $"{size} bytes exceed link \"{Link}\"'s limit of {Options.MaxMessageBytes}");
        }

        if (RouteRefusal(command.Port, command.Subtree, size, SenderOf(source), rotate: true, out PortMode mode, out List<string> recipients, out int unicastFrom)
            is { } refusal)
        {
            return refusal;
        }

        long deadline = Options.DeadlineUs(command.TtlMs, now);
        var accepted = new MessageAccepted(Ledger.NextSequence(), command.MessageId, now, deadline, source.Link, source.Node,
            command.Port, mode, Ledger.NextPortSequence(command.Port), [.. recipients], command.Payload, command.Transfer, command.Subtree,
            mode == PortMode.Group && unicastFrom < recipients.Count ? unicastFrom : -1);
        created.Add(Ledger.Apply(accepted, 0)!);
        records.Add(accepted);
        return new SendOutcome(ErrorCode.None, accepted.Sequence, now, Duplicate: false, null);
    }

    private InboxRoom HasRoomFor(int size) => new(Options.MaxInboxMessages, Options.MaxInboxBytes, size);

    /// <summary>An attempt failed (NACK with requeue, or ack timeout): schedule the next.</summary>
    /// <returns>False when the attempts are used up: the caller settles the recipient as undeliverable.</returns>
    private bool Retry(Recipient recipient, long now)
    {
        NodeState node = Ledger.Node(recipient.Node);
        if (recipient.State == RecipientState.InFlight)
        {
            recipient.State = RecipientState.Waiting;
            node.InFlight--;
        }

        if (recipient.Attempt >= Options.MaxAttempts)
        {
            return false;
        }

        recipient.DueUs = now + (long)Options.RetryDelay(recipient.Attempt).TotalMicroseconds;
        return true;
    }

    private void FinalizeIfSettled(PendingMessage message, long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        if (!message.IsSettled || !Ledger.Messages.ContainsKey(message.Sequence))
        {
            return;
        }

        (FinalState state, uint confirmed) = message.Outcome();
        MessageAccepted a = message.Accepted;
        var record = new MessageFinalized(a.Sequence, a.MessageId, a.SourceLink, a.SourceNode, state, (uint)message.Recipients.Count,
            confirmed, now, PendingMessage.Describe(state, confirmed, message.Recipients.Count));
        Apply(records, record);
        finalized.Add(record);
        if (a.Transfer is not null)
        {
            _endedTransfers.Add((a.MessageId, state));
        }
    }

    /// <summary>
    /// A message finalized by a <see cref="RecipientsSettled"/> batch not yet durable. Its status already has an
    /// LSN (its acceptance's), so a status for another link is held back from forwarding until the batch is durable.
    /// </summary>
    private void Finalized(PendingMessage message, MessageFinalized final, List<MessageFinalized> finalized)
    {
        finalized.Add(final);
        if (final.SourceLink != Link)
        {
            Forwarding.Add(final.Sequence);
        }

        if (message.Accepted.Transfer is not null)
        {
            _endedTransfers.Add((message.MessageId, final.State));
        }
    }

    /// <summary>The report of a status held for a node of this link: the ledger's own, unless it is gone already.</summary>
    private StatusReport HeldReport(MessageFinalized f) =>
        Ledger.TryGetHeldStatus(f.SourceNode, f.MessageId, out StatusReport? held) ? held : ToReport(f);
}
