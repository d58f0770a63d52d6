using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using TamTam.Grains.Links.Internal;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;

namespace TamTam.Grains.Links;

/// <summary>
/// A link's orchestrator. Its durable truth is an append-only log (<c>links/&lt;name&gt;</c>); its memory is
/// the <see cref="LinkLedger"/> that replaying the log rebuilds. Every change is applied to the ledger,
/// appended to the log through a group committer, and acted upon (answers, deliveries, statuses) only once
/// durable.
/// </summary>
/// <remarks>
/// Reentrant on purpose: while one batch waits for its fsync, other calls run and queue their records for
/// the next write, which is what makes group commit work across sessions. Correctness under interleaving
/// rests on two rules: ledger changes happen only between awaits, and nothing leaves the grain before the
/// records behind it are durable. If a write fails, the activation refuses everything and deactivates; the
/// next activation replays the log, which holds exactly what was made durable.
/// </remarks>
[Reentrant]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The committer and log are disposed in OnDeactivateAsync, the grain's end of life.")]
public sealed partial class LinkGrain : Grain, ILinkGrain
{
    private readonly ISegmentLogStore _logs;
    private readonly OrchestratorOptions _options;
    private readonly StorageMetrics _storageMetrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<LinkGrain> _logger;
    private readonly TimeProvider _time;
    private readonly RecipientRouter _router = new();
    private readonly Dictionary<string, (Guid Session, Task Tail)> _pushChains = new(StringComparer.Ordinal);
    private readonly HashSet<ulong> _forwarding = [];
    private readonly List<(Guid MessageId, FinalState State)> _endedTransfers = [];

    // The encoding buffer of CommitOrZeroAsync (used between awaits only); one that grew past this is dropped.
    private const int ScratchKeptBytes = 1 << 20;
    private const int StackEnds = 256;
    private ArrayBufferWriter<byte> _scratch = new(16 * 1024);

    private LinkLedger _ledger = null!;
    private ISegmentLog? _log;
    private GroupCommitter? _committer;
    private long _recordsSinceCheckpoint;
    private bool _faulted;

    public LinkGrain(
        ISegmentLogStore logs,
        IOptions<OrchestratorOptions> options,
        StorageMetrics storageMetrics,
        ILoggerFactory loggers,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _logs = logs;
        _options = options.Value;
        _storageMetrics = storageMetrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LinkGrain>();
        _time = time ?? TimeProvider.System;
    }

    private string Link => _ledger.Link;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string link = this.GetPrimaryKeyString();
        _ledger = new LinkLedger(link);
        _log = await _logs.OpenAsync("links/" + link, cancellationToken);
        long replayed = 0;
        await foreach (LogRecord entry in _log.ReadAsync(_log.FirstLsn, cancellationToken))
        {
            _ledger.Apply(LinkRecordCodec.Decode(entry.Data.Span), entry.Lsn);
            replayed++;
        }

        // After a restart nobody knows which deliveries reached their node: all count as redeliveries.
        foreach (PendingMessage message in _ledger.Messages.Values)
        {
            foreach (Recipient recipient in message.Recipients)
            {
                recipient.MaybeDelivered = true;
            }
        }

        _recordsSinceCheckpoint = replayed;
        _committer = new GroupCommitter(_log, new GroupCommitterOptions(), _storageMetrics, _loggers.CreateLogger<GroupCommitter>());
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(_options.TimerPeriod, _options.TimerPeriod) { Interleave = true });
        LinkLog.Activated(_logger, link, replayed, _ledger.Messages.Count, _ledger.NextSequence());
        ReportToRegistry(active: true);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            // Every connected node is told at once, and the activation waits for them only so long: a session
            // that does not answer must not hold the link's log (and so the link) off every other silo.
            var relinks = new List<Task>();
            foreach (NodeState node in _ledger.Nodes.Values)
            {
                if (node.Observer is { } observer)
                {
                    relinks.Add(TellToRelinkAsync(node.Name, observer));
                }
            }

            await Task.WhenAll(relinks).WaitAsync(_options.RelinkTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            // A stopping silo cannot place the registry any more; a LINKS query finds the link gone by asking it.
            if (_ledger.Exists && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
            {
                await ReportToRegistryAsync(Summary(), active: false);
            }

            if (_committer is not null)
            {
                await _committer.DisposeAsync();
            }

            if (_log is not null)
            {
                await _log.DisposeAsync();
            }
        }
    }

    public async Task<OperationResult> JoinAsync(NodeAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (_faulted)
        {
            return Unavailable();
        }

        NodeState node = _ledger.Node(attachment.Node);
        if (SessionRules.Refusal(node, attachment, NowUs(), Link) is { } refusal)
        {
            return refusal;
        }

        ILinkObserver? superseded = null;
        if (node.IsOnline && node.SessionId != attachment.SessionId)
        {
            // The same session resuming from a new connection before its old one was noticed gone: the old
            // connection's deliveries go back to the inbox and are sent again on the new one, and the old
            // connection is told to end (213) below: it must not go on acting as the node.
            superseded = node.Observer;
            DetachNode(node);
        }

        node.Attach(attachment.SessionId, attachment.Observer);
        node.Hold(attachment.EffectiveSession, (long)attachment.SessionTimeout.TotalMicroseconds);
        if (!node.IsMember)
        {
            var joined = new NodeJoined(attachment.Node);
            _ledger.Apply(joined, 0);
            if (!await TryCommitAsync([joined]))
            {
                return Unavailable();
            }

            ReportToRegistry(active: true);
        }

        LinkLog.Joined(_logger, Link, attachment.Node, attachment.SessionId);
        PushStatuses(attachment.Node, [.. _ledger.HeldStatusesFor(attachment.Node)]);
        Dispatch(node, NowUs());
        if (superseded is not null)
        {
            // One-way: sent before the resume is answered, without waiting for a connection that may be closing.
            await TellSupersededAsync(attachment.Node, superseded);
        }

        return OperationResult.Ok;
    }

    public Task DetachAsync(string node, Guid sessionId)
    {
        if (_ledger.Nodes.TryGetValue(node, out NodeState? state) && state.IsOnline && state.SessionId == sessionId)
        {
            DetachNode(state);
        }

        return Task.CompletedTask;
    }

    public Task<bool> HoldsSessionAsync(string node, Guid session) =>
        Task.FromResult(_ledger.Nodes.TryGetValue(node, out NodeState? state) && state.IsMember && state.IsHeldBy(session, NowUs()));

    public Task<LinkSummary> GetSummaryAsync() => Task.FromResult(Summary());

    public async Task<OperationResult> LeaveAsync(string node, Guid sessionId)
    {
        if (_faulted)
        {
            return Unavailable();
        }

        if (!TryGetSession(node, sessionId, out NodeState? state))
        {
            return NotJoined(node);
        }

        long now = NowUs();
        var records = new List<LinkRecord>();
        Apply(records, new NodeLeft(node));

        // A node that leaves gives up the statuses it has not confirmed: nobody would collect them.
        Guid[] held = [.. _ledger.HeldStatusesFor(node).Select(s => s.MessageId)];
        if (held.Length > 0)
        {
            Apply(records, new StatusesConfirmed(node, held));
        }

        var finalized = new List<MessageFinalized>();
        var reassigned = new HashSet<string>(StringComparer.Ordinal);
        foreach (Recipient recipient in state.Inbox.Values.ToArray())
        {
            PendingMessage message = recipient.Message;
            string? target = recipient.Unicast
                ? _router.Reassign(_ledger, message, node, HasRoomFor(message.Accepted.Payload.Length))
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
        if (!await TryCommitAsync(records))
        {
            return Unavailable();
        }

        LinkLog.Left(_logger, Link, node);
        ReportToRegistry(active: true);
        AfterFinalized(finalized);
        foreach (string target in reassigned)
        {
            Dispatch(_ledger.Node(target), now);
        }

        return OperationResult.Ok;
    }

    public async Task<OperationResult> BindAsync(string node, Guid sessionId, PortBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (_faulted)
        {
            return Unavailable();
        }

        if (!TryGetSession(node, sessionId, out _))
        {
            return NotJoined(node);
        }

        foreach (PortBound existing in _ledger.Bindings)
        {
            if (existing.Port == binding.Port && existing.Mode != binding.Mode)
            {
                return OperationResult.Fail(ErrorCode.PortModeConflict,
                    $"port \"{binding.Port}\" is bound as {existing.Mode.ToString().ToLowerInvariant()}, not {binding.Mode.ToString().ToLowerInvariant()}");
            }
        }

        var record = new PortBound(node, binding.Port, binding.Mode, binding.Subtree);
        _ledger.Apply(record, 0);
        return await TryCommitAsync([record]) ? OperationResult.Ok : Unavailable();
    }

    public async Task<OperationResult> UnbindAsync(string node, Guid sessionId, string port, bool subtree)
    {
        if (_faulted)
        {
            return Unavailable();
        }

        if (!TryGetSession(node, sessionId, out _))
        {
            return NotJoined(node);
        }

        if (!_ledger.Bindings.Exists(b => b.Node == node && b.Port == port && b.Subtree == subtree))
        {
            return OperationResult.Fail(ErrorCode.NotBound, $"node \"{node}\" has no binding of port \"{port}\"{(subtree ? " (subtree)" : "")}");
        }

        var record = new PortUnbound(node, port, subtree);
        _ledger.Apply(record, 0);
        return await TryCommitAsync([record]) ? OperationResult.Ok : Unavailable();
    }

    public async Task<SendOutcome[]> SendAsync(MessageSource source, SendCommand[] batch)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(batch);
        var outcomes = new SendOutcome[batch.Length];
        if (_faulted)
        {
            Array.Fill(outcomes, SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{this.GetPrimaryKeyString()}\" is recovering"));
            return outcomes;
        }

        if (IsSupersededSender(source))
        {
            Array.Fill(outcomes, SendOutcome.Refused(ErrorCode.SessionTakenOver,
                $"node \"{source.Node}\" of link \"{Link}\" is held by another connection of its session now; this connection ends"));
            return outcomes;
        }

        long now = NowUs();
        var records = new List<LinkRecord>(batch.Length);
        var created = new List<PendingMessage>(batch.Length);
        List<(int Index, PendingMessage Message)>? duplicates = null;
        for (int i = 0; i < batch.Length; i++)
        {
            SendCommand command = batch[i];
            if (_ledger.TryGetAccepted(source.Link, source.Node, command.MessageId, out ulong sequence))
            {
                outcomes[i] = new SendOutcome(ErrorCode.None, sequence, now, Duplicate: true, null);
                if (_ledger.Messages.TryGetValue(sequence, out PendingMessage? original))
                {
                    outcomes[i] = outcomes[i] with { AcceptedAtUs = original.Accepted.AcceptedAtUs };
                    (duplicates ??= []).Add((i, original));
                }

                continue;
            }

            outcomes[i] = Accept(source, command, now, records, created);
        }

        if (records.Count > 0)
        {
            var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (PendingMessage message in created)
            {
                message.Durable = durable.Task;
            }

            long first = await CommitOrZeroAsync(records);
            durable.SetResult();
            if (first == 0)
            {
                return RefuseAll(outcomes);
            }

            for (int k = 0; k < created.Count; k++)
            {
                created[k].Lsn = first + k;
            }
        }

        if (duplicates is not null)
        {
            foreach ((int _, PendingMessage original) in duplicates)
            {
                await original.Durable;
            }

            if (_faulted)
            {
                return RefuseAll(outcomes);
            }
        }

        // One dispatch per node: the first already sends everything due from its inbox.
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (PendingMessage message in created)
        {
            foreach (Recipient recipient in message.Recipients)
            {
                if (nodes.Add(recipient.Node))
                {
                    Dispatch(_ledger.Node(recipient.Node), now);
                }
            }
        }

        return outcomes;
    }

    public async Task<ErrorCode[]> AcknowledgeAsync(string node, Guid sessionId, AckCommand[] batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new ErrorCode[batch.Length];
        if (_faulted)
        {
            Array.Fill(results, ErrorCode.Unavailable);
            return results;
        }

        if (!TryGetSession(node, sessionId, out NodeState? state))
        {
            Array.Fill(results, ErrorCode.NotJoined);
            return results;
        }

        long now = NowUs();
        var settlements = new List<Settlement>(batch.Length);
        var finalized = new List<MessageFinalized>();
        for (int i = 0; i < batch.Length; i++)
        {
            AckCommand ack = batch[i];
            Recipient? recipient = _ledger.Messages.TryGetValue(ack.Sequence, out PendingMessage? message) && message.MessageId == ack.MessageId
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

            // Applied at once, by the same ledger function replay uses for the batch's record: a second answer to
            // this delivery within the batch finds it settled.
            var settlement = new Settlement(ack.Sequence, outcome);
            settlements.Add(settlement);
            if (_ledger.Settle(node, settlement, now) is { } final)
            {
                Finalized(message!, final, finalized);
            }
        }

        // The window's room goes to the next deliveries now, not once the settlements are durable: those deliveries
        // rest on their own durable acceptances, and a crash before this commit only makes the settled ones due again.
        Dispatch(state, now);
        List<LinkRecord> records = settlements.Count > 0 ? [new RecipientsSettled(node, now, [.. settlements])] : [];
        bool durable = await TryCommitAsync(records);
        ReleaseForwarding(finalized);
        if (!durable)
        {
            Array.Fill(results, ErrorCode.Unavailable);
            return results;
        }

        AfterFinalized(finalized);
        return results;
    }

    public async Task ConfirmStatusAsync(string node, Guid[] messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        List<Guid>? held = null;
        foreach (Guid id in messageIds)
        {
            if (_ledger.HoldsStatus(node, id))
            {
                (held ??= new List<Guid>(messageIds.Length)).Add(id);
            }
        }

        if (held is not null)
        {
            var record = new StatusesConfirmed(node, [.. held]);
            _ledger.Apply(record, 0);
            await TryCommitAsync([record]);
        }
    }

    public async Task ReportStatusAsync(StatusReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var records = new List<LinkRecord>();
        var fresh = new List<StatusReport>();
        foreach (StatusReport report in reports)
        {
            if (!_ledger.HoldsStatus(report.SenderNode, report.MessageId))
            {
                Apply(records, new StatusHeld(report.MessageId, report.SenderNode, report.State, report.Recipients, report.Confirmed, report.AtUs, report.Detail));
                fresh.Add(report);
            }
        }

        long first = await CommitOrZeroAsync(records);
        if (first == 0 && records.Count > 0)
        {
            throw new InvalidOperationException($"link \"{Link}\" could not store the statuses; report them again");
        }

        for (int k = 0; k < fresh.Count; k++)
        {
            _ledger.SetStatusLsn(fresh[k].SenderNode, fresh[k].MessageId, first + k);
        }

        foreach (IGrouping<string, StatusReport> group in fresh.GroupBy(r => r.SenderNode, StringComparer.Ordinal))
        {
            PushStatuses(group.Key, [.. group]);
        }
    }

    public Task<NodeSummary[]> GetNodesAsync()
    {
        var nodes = new List<NodeSummary>();
        foreach (NodeState node in _ledger.Nodes.Values)
        {
            if (node.IsMember)
            {
                nodes.Add(new NodeSummary(node.Name, node.IsOnline, node.Inbox.Count));
            }
        }

        nodes.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node));
        return Task.FromResult(nodes.ToArray());
    }

    private SendOutcome Accept(MessageSource source, SendCommand command, long now, List<LinkRecord> records, List<PendingMessage> created)
    {
        int size = command.Payload.Length;
        if (size > _options.MaxMessageBytes)
        {
            return SendOutcome.Refused(ErrorCode.MessageTooLarge, $"{size} bytes exceed link \"{Link}\"'s limit of {_options.MaxMessageBytes}");
        }

        if (RouteRefusal(command.Port, command.Subtree, size, SenderOf(source), rotate: true, out PortMode mode, out List<string> recipients, out int unicastFrom)
            is { } refusal)
        {
            return refusal;
        }

        long deadline = now + (long)(command.TtlMs > 0 ? TimeSpan.FromMilliseconds(command.TtlMs) : _options.DefaultTtl).TotalMicroseconds;
        var accepted = new MessageAccepted(_ledger.NextSequence(), command.MessageId, now, deadline, source.Link, source.Node,
            command.Port, mode, _ledger.NextPortSequence(command.Port), [.. recipients], command.Payload, command.Transfer, command.Subtree,
            mode == PortMode.Group && unicastFrom < recipients.Count ? unicastFrom : -1);
        created.Add(_ledger.Apply(accepted, 0)!);
        records.Add(accepted);
        return new SendOutcome(ErrorCode.None, accepted.Sequence, now, Duplicate: false, null);
    }

    /// <summary>Why a message of <paramref name="size"/> bytes to <paramref name="port"/> would be refused now (300 or 302), or null with its recipients.</summary>
    private SendOutcome? RouteRefusal(
        string port, bool subtree, int size, string? sender, bool rotate, out PortMode mode, out List<string> recipients, out int unicastFrom)
    {
        mode = PortMode.Unicast;
        recipients = [];
        unicastFrom = 0;
        if (!_ledger.Exists)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, $"link \"{Link}\" has no nodes");
        }

        InboxRoom hasRoom = HasRoomFor(size);
        (mode, recipients, unicastFrom) = _router.Resolve(_ledger, port, subtree, hasRoom, sender, rotate);
        if (recipients.Count == 0)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, mode == PortMode.Broadcast
                ? $"link \"{Link}\" has no member but the sender to broadcast port \"{port}\" to"
                : $"no node of link \"{Link}\" is bound to port \"{port}\"");
        }

        foreach (string name in recipients)
        {
            NodeState node = _ledger.Node(name);
            if (!hasRoom.For(node))
            {
                return SendOutcome.Refused(ErrorCode.QuotaExceeded,
                    $"the inbox of node \"{name}\" is full ({node.Inbox.Count} messages, {node.InboxBytes} bytes); try again later");
            }
        }

        return null;
    }

    /// <summary>The sending node when it is of this link: a broadcast leaves it out.</summary>
    private string? SenderOf(MessageSource source) => source.Link == Link ? source.Node : null;

    private InboxRoom HasRoomFor(int size) => new(_options.MaxInboxMessages, _options.MaxInboxBytes, size);

    /// <summary>Sends a node what is due from its inbox, in link order, up to its window.</summary>
    private void Dispatch(NodeState node, long now)
    {
        if (node.Observer is not { } observer || _faulted || node.InFlight >= _options.DeliveryWindow)
        {
            return;
        }

        List<Delivery>? deliveries = null;
        List<Recipient>? sent = null;
        List<LinkRecord>? attempts = null;
        foreach (Recipient recipient in node.Inbox.Values)
        {
            if (node.InFlight >= _options.DeliveryWindow)
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

        if (attempts is not null)
        {
            // Attempt counts only refine numbering after a restart; the delivery need not wait for them.
            _ = CommitInBackgroundAsync(attempts);
        }

        if (deliveries is not null)
        {
            Chain(node.Name, () => DeliverAsync(observer, [.. deliveries], sent!), node.SessionId);
        }
    }

    // The ack timeout runs from when the node has the delivery (the session flushed it to its connection), not
    // from when it was queued: a push may wait behind earlier ones to the same node.
    private async Task DeliverAsync(ILinkObserver observer, Delivery[] deliveries, List<Recipient> sent)
    {
        await observer.DeliverAsync(deliveries);
        long now = NowUs();
        for (int i = 0; i < sent.Count; i++)
        {
            Recipient recipient = sent[i];
            if (recipient.State == RecipientState.InFlight && recipient.DueUs == Recipient.Unsent && recipient.Attempt == deliveries[i].Attempt)
            {
                recipient.DueUs = now + (long)_options.AckTimeoutFor(recipient.Message.Accepted.Transfer).TotalMicroseconds;
            }
        }
    }

    private void PushStatuses(string node, StatusReport[] statuses)
    {
        if (statuses.Length > 0 && _ledger.Nodes.TryGetValue(node, out NodeState? state) && state.Observer is { } observer)
        {
            Chain(node, () => observer.StatusAsync(statuses), state.SessionId);
        }
    }

    // Pushes to one session go one after another, so a node sees deliveries in link order. A node's new
    // session starts a chain of its own: a push stuck on the previous one (a dead socket) must not hold it up
    // until the call times out.
    private void Chain(string node, Func<Task> push, Guid sessionId)
    {
        Task previous = _pushChains.TryGetValue(node, out (Guid Session, Task Tail) chain) && chain.Session == sessionId
            ? chain.Tail
            : Task.CompletedTask;
        _pushChains[node] = (sessionId, PushAfterAsync(previous, node, push, sessionId));
    }

    private async Task PushAfterAsync(Task previous, string node, Func<Task> push, Guid sessionId)
    {
        await previous;
        if (!_ledger.Nodes.TryGetValue(node, out NodeState? current) || current.SessionId != sessionId)
        {
            // That session is gone: its deliveries went back to the inbox and its statuses are still held.
            return;
        }

        try
        {
            await push();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
            if (_ledger.Nodes.TryGetValue(node, out NodeState? state) && state.SessionId == sessionId && state.Observer is { } observer)
            {
                DetachNode(state);

                // A push that timed out may have been lost with its session alive. Left at that, the session
                // would stay connected, believe itself joined and never hear from the link again: tell it to join
                // again (a session that is really gone fails this call too). Other failures mean the session is
                // gone, and relinking after them could spin against a session that fails every push.
                if (e is TimeoutException)
                {
                    _ = TellToRelinkAsync(node, observer);
                }
            }
        }
    }

    /// <summary>Tells a node's earlier connection that its session was resumed elsewhere; a failure only means it is gone already.</summary>
    private async Task TellSupersededAsync(string node, ILinkObserver observer)
    {
        try
        {
            await observer.SupersededAsync();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
        }
    }

    /// <summary>Tells a node's session to join again; a failure only means the session is gone or the silo stopping.</summary>
    private async Task TellToRelinkAsync(string node, ILinkObserver observer)
    {
        try
        {
            await observer.RelinkAsync();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
        }
    }

    private void DetachNode(NodeState node)
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

    /// <summary>An attempt failed (NACK with requeue, or ack timeout): schedule the next.</summary>
    /// <returns>False when the attempts are used up: the caller settles the recipient as undeliverable.</returns>
    private bool Retry(Recipient recipient, long now)
    {
        NodeState node = _ledger.Node(recipient.Node);
        if (recipient.State == RecipientState.InFlight)
        {
            recipient.State = RecipientState.Waiting;
            node.InFlight--;
        }

        if (recipient.Attempt >= _options.MaxAttempts)
        {
            return false;
        }

        recipient.DueUs = now + (long)_options.RetryDelay(recipient.Attempt).TotalMicroseconds;
        return true;
    }

    private void FinalizeIfSettled(PendingMessage message, long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        if (!message.IsSettled || !_ledger.Messages.ContainsKey(message.Sequence))
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
            _forwarding.Add(final.Sequence);
        }

        if (message.Accepted.Transfer is not null)
        {
            _endedTransfers.Add((message.MessageId, final.State));
        }
    }

    private void ReleaseForwarding(List<MessageFinalized> finalized)
    {
        foreach (MessageFinalized final in finalized)
        {
            if (final.SourceLink != Link)
            {
                _forwarding.Remove(final.Sequence);
            }
        }
    }

    /// <summary>Statuses of finalized messages go to their senders: here, or through the sender's link.</summary>
    private void AfterFinalized(List<MessageFinalized> finalized)
    {
        if (finalized.Count == 0)
        {
            return;
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
                PushStatuses(node, [.. group]);
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

            PushStatuses(sender, reports);
        }

        if (local < finalized.Count)
        {
            _ = ForwardStatusesAsync();
        }

        if (_endedTransfers.Count > 0)
        {
            _ = EndTransfersAsync([.. _endedTransfers]);
            _endedTransfers.Clear();
        }
    }

    /// <summary>
    /// A parted message's payload is removed by its transfer grain once the message is final. Not awaited: the
    /// status need not wait for the cleanup, and a transfer the call misses removes its payload at its deadline.
    /// </summary>
    private async Task EndTransfersAsync((Guid MessageId, FinalState State)[] ended)
    {
        foreach ((Guid id, FinalState state) in ended)
        {
            try
            {
                await GrainFactory.GetGrain<ITransferGrain>(id).FinishedAsync(state);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TransferLog.EndNotLearned(_logger, Link, id, e);
            }
        }
    }

    private static StatusReport ToReport(MessageFinalized f) =>
        new(f.MessageId, f.SourceNode, f.State, f.Recipients, f.Confirmed, f.AtUs, f.Detail);

    /// <summary>The report of a status held for a node of this link: the ledger's own, unless it is gone already.</summary>
    private StatusReport HeldReport(MessageFinalized f) =>
        _ledger.TryGetHeldStatus(f.SourceNode, f.MessageId, out StatusReport? held) ? held : ToReport(f);

    private async Task ForwardStatusesAsync()
    {
        var pending = _ledger.Unforwarded.Values.Where(u => u.Lsn > 0 && _forwarding.Add(u.Record.Sequence)).Select(u => u.Record).ToList();
        foreach (IGrouping<string, MessageFinalized> group in pending.GroupBy(f => f.SourceLink, StringComparer.Ordinal))
        {
            try
            {
                await GrainFactory.GetGrain<ILinkGrain>(group.Key).ReportStatusAsync([.. group.Select(ToReport)]);
                var records = new List<LinkRecord>();
                foreach (MessageFinalized f in group)
                {
                    Apply(records, new StatusForwarded(f.Sequence));
                }

                await TryCommitAsync(records);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LinkLog.ForwardFailed(_logger, Link, group.Key, e);
            }
            finally
            {
                foreach (MessageFinalized f in group)
                {
                    _forwarding.Remove(f.Sequence);
                }
            }
        }
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_faulted)
        {
            return;
        }

        long now = NowUs();
        var records = new List<LinkRecord>();
        var finalized = new List<MessageFinalized>();
        foreach (PendingMessage message in _ledger.Messages.Values.ToArray())
        {
            if (message.Lsn == 0)
            {
                continue;
            }

            bool expired = message.Accepted.DeadlineUs <= now;
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

        if (!await TryCommitAsync(records))
        {
            return;
        }

        AfterFinalized(finalized);
        if (_ledger.Unforwarded.Count > 0)
        {
            await ForwardStatusesAsync();
        }

        foreach (NodeState node in _ledger.Nodes.Values)
        {
            Dispatch(node, now);
        }

        await CompactIfDueAsync(cancellationToken);
    }

    private async Task CompactIfDueAsync(CancellationToken cancellationToken)
    {
        if (_recordsSinceCheckpoint < _options.CompactionRecords || _log is null)
        {
            return;
        }

        // Taken with the checkpoint, before other calls run: whatever is live but not yet durable now lands
        // at or after the log's next LSN, and whatever becomes live later lands after the checkpoint.
        Checkpoint checkpoint = _ledger.ToCheckpoint();
        (List<LinkRecord> carried, long oldest) = _ledger.PlanCompaction(_log.NextLsn);
        carried.Insert(0, checkpoint);
        long lsn = await CommitTrackedAsync(carried);
        if (lsn == 0)
        {
            return;
        }

        await _log.TruncateBeforeAsync(oldest, cancellationToken);
        _recordsSinceCheckpoint = 0;
        LinkLog.Compacted(_logger, Link, lsn, oldest);
    }

    private void Apply(List<LinkRecord> records, LinkRecord record)
    {
        _ledger.Apply(record, 0);
        records.Add(record);
    }

    private async Task<bool> TryCommitAsync(List<LinkRecord> records) => records.Count == 0 || await CommitTrackedAsync(records) != 0;

    /// <summary><see cref="CommitOrZeroAsync"/>, then the durable LSN of each final status among the records.</summary>
    private async Task<long> CommitTrackedAsync(List<LinkRecord> records)
    {
        long first = await CommitOrZeroAsync(records);
        if (first == 0)
        {
            return 0;
        }

        // A final status is forwarded, and kept through compaction, by its durable LSN: record it now.
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i] is MessageFinalized finalized)
            {
                _ledger.SetFinalizedLsn(finalized, first + i);
            }
        }

        return first;
    }

    private async Task CommitInBackgroundAsync(List<LinkRecord> records) => await TryCommitAsync(records);

    /// <summary>Makes <paramref name="records"/> durable in one group commit; 0 when that failed.</summary>
    private async Task<long> CommitOrZeroAsync(List<LinkRecord> records)
    {
        if (records.Count == 0)
        {
            return 0;
        }

        // Every record of the call is encoded into one scratch buffer and copied out once: one array per
        // commit, not one per record (and none for a growing writer).
        _scratch.ResetWrittenCount();
        var ends = records.Count <= StackEnds ? stackalloc int[records.Count] : new int[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            LinkRecordCodec.Encode(records[i], _scratch);
            ends[i] = _scratch.WrittenCount;
        }

        byte[] bytes = _scratch.WrittenSpan.ToArray();
        var encoded = new ReadOnlyMemory<byte>[records.Count];
        for (int i = 0, start = 0; i < records.Count; start = ends[i], i++)
        {
            encoded[i] = bytes.AsMemory(start, ends[i] - start);
        }

        if (_scratch.Capacity > ScratchKeptBytes)
        {
            _scratch = new ArrayBufferWriter<byte>(ScratchKeptBytes);
        }

        try
        {
            long first = await _committer!.CommitAsync(encoded);
            _recordsSinceCheckpoint += records.Count;
            return first;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The ledger already holds changes the log does not: refuse everything until the next
            // activation replays what is durable.
            _faulted = true;
            LinkLog.CommitFailed(_logger, Link, e);
            this.DeactivateOnIdle();
            return 0;
        }
    }

    /// <summary>A SEND from a connection of this link's node that another connection has taken over since (a resume).</summary>
    private bool IsSupersededSender(MessageSource source) =>
        source.Attachment != Guid.Empty && source.Link == Link && _ledger.Nodes.TryGetValue(source.Node, out NodeState? sender)
        && sender.IsOnline && sender.SessionId != source.Attachment;

    private bool TryGetSession(string node, Guid sessionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeState? state) =>
        _ledger.Nodes.TryGetValue(node, out state) && state.IsMember && state.IsOnline && state.SessionId == sessionId;

    private OperationResult NotJoined(string node) =>
        OperationResult.Fail(ErrorCode.NotJoined, $"this session is not node \"{node}\" of link \"{Link}\"; join first");

    private OperationResult Unavailable() =>
        OperationResult.Fail(ErrorCode.Unavailable, $"link \"{this.GetPrimaryKeyString()}\" is recovering from a storage failure; retry");

    private SendOutcome[] RefuseAll(SendOutcome[] outcomes)
    {
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Accepted)
            {
                outcomes[i] = SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{Link}\" could not make the message durable; send it again");
            }
        }

        return outcomes;
    }

    private long NowUs() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
