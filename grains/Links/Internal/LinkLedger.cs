using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The link's in-memory index, rebuilt from its log: members, bindings, counters, pending messages,
/// inboxes and the statuses senders have not confirmed. <see cref="Apply"/> is the only way it changes,
/// both while the link runs and while it replays, so the two cannot drift apart.
/// </summary>
/// <param name="link">The link's name.</param>
/// <param name="idWindow">How long a done-with message's id stays a duplicate (<see cref="RememberedIds"/>).</param>
/// <param name="idCapacity">At most how many done-with ids are remembered.</param>
internal sealed partial class LinkLedger(string link, TimeSpan idWindow, int idCapacity)
{
    private readonly Dictionary<ulong, PendingMessage> _messages = [];
    private readonly Dictionary<(string Link, string Node, Guid Id), ulong> _accepted = new(MessageKeyComparer.Instance);
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _portSequences = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, (MessageFinalized Record, long Lsn)> _unforwarded = [];
    private readonly Dictionary<(string Node, Guid Id), (StatusReport Report, long Lsn)> _heldStatuses = new(MessageKeyComparer.Instance);
    private readonly RememberedIds _remembered = new(idWindow, idCapacity);

    /// <summary>A ledger with the default id window (<see cref="OrchestratorOptions"/>).</summary>
    public LinkLedger(string link)
        : this(link, OrchestratorOptions.DefaultDuplicateWindow, OrchestratorOptions.DefaultDuplicateWindowIds)
    {
    }

    public string Link { get; } = link;

    /// <summary>Ids of done-with messages still remembered (the duplicate window).</summary>
    public int RememberedCount => _remembered.Count;

    public ulong LastSequence { get; private set; }

    public List<PortBound> Bindings { get; } = [];

    public IReadOnlyDictionary<string, NodeState> Nodes => _nodes;

    public IReadOnlyDictionary<ulong, PendingMessage> Messages => _messages;

    public IReadOnlyDictionary<ulong, (MessageFinalized Record, long Lsn)> Unforwarded => _unforwarded;

    /// <summary>True once the link has ever had a member: a link nobody joined is no route.</summary>
    public bool Exists => _nodes.Count > 0;

    public ulong NextSequence() => LastSequence + 1;

    public ulong NextPortSequence(string port) => _portSequences.GetValueOrDefault(port) + 1;

    public NodeState Node(string name)
    {
        if (!_nodes.TryGetValue(name, out NodeState? node))
        {
            node = new NodeState(name);
            _nodes.Add(name, node);
        }

        return node;
    }

    /// <summary>
    /// Whether this link accepted <paramref name="messageId"/> from the node: a message pending or whose status is not
    /// yet confirmed, or one done with within the duplicate window.
    /// </summary>
    public bool TryGetAccepted(string sourceLink, string sourceNode, Guid messageId, out ulong sequence)
    {
        if (_accepted.TryGetValue((sourceLink, sourceNode, messageId), out sequence))
        {
            return true;
        }

        sequence = _remembered.TryGet(sourceLink, sourceNode, messageId, out RememberedId remembered) ? remembered.Sequence : 0;
        return sequence > 0;
    }

    /// <summary>True when <paramref name="node"/> confirmed the status of <paramref name="messageId"/> within the duplicate window.</summary>
    public bool ConfirmedRecently(string node, Guid messageId) => _remembered.TryGet(Link, node, messageId, out _);

    /// <summary>Forgets the done-with ids whose window has passed.</summary>
    public void PruneRemembered(long nowUs) => _remembered.Prune(nowUs);

    public IEnumerable<StatusReport> HeldStatusesFor(string node)
    {
        foreach (KeyValuePair<(string Node, Guid Id), (StatusReport Report, long Lsn)> entry in _heldStatuses)
        {
            if (entry.Key.Node == node)
            {
                yield return entry.Value.Report;
            }
        }
    }

    /// <summary>Every status held, whatever its node: a station that serves this link collects them all.</summary>
    public IEnumerable<StatusReport> HeldStatuses()
    {
        foreach ((StatusReport report, long _) in _heldStatuses.Values)
        {
            yield return report;
        }
    }

    public bool HoldsStatus(string node, Guid messageId) => _heldStatuses.ContainsKey((node, messageId));

    /// <summary>The status held for <paramref name="node"/>, as the ledger keeps it (pushed as is: no copy per push).</summary>
    public bool TryGetHeldStatus(string node, Guid messageId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StatusReport? status)
    {
        bool held = _heldStatuses.TryGetValue((node, messageId), out (StatusReport Report, long Lsn) entry);
        status = entry.Report;
        return held;
    }

    /// <summary>
    /// Plans a compaction: the oldest LSN replay will still need, and the statuses to write again so that they do
    /// not hold older records. A status finalized by a <see cref="RecipientsSettled"/> batch lives in its message's
    /// acceptance; one still unconfirmed (or unforwarded) when every pending message is younger is written again as
    /// a <see cref="MessageFinalized"/> of its own, and the acceptance, payload and all, can go. Records not yet
    /// durable (LSN 0), the carried ones included, land at or after <paramref name="nextLsn"/>, the log's next LSN
    /// when the caller took its checkpoint.
    /// </summary>
    public (List<LinkRecord> Carried, long Oldest) PlanCompaction(long nextLsn)
    {
        long oldestMessage = nextLsn;
        foreach (PendingMessage message in _messages.Values)
        {
            if (message.Lsn > 0 && message.Lsn < oldestMessage)
            {
                oldestMessage = message.Lsn;
            }
        }

        long oldest = oldestMessage;
        var carried = new List<LinkRecord>();
        foreach (KeyValuePair<(string Node, Guid Id), (StatusReport Report, long Lsn)> entry in _heldStatuses)
        {
            (StatusReport report, long lsn) = entry.Value;
            if (lsn <= 0 || lsn >= oldestMessage)
            {
                continue;
            }

            if (_accepted.TryGetValue((Link, entry.Key.Node, entry.Key.Id), out ulong sequence))
            {
                carried.Add(new MessageFinalized(sequence, report.MessageId, Link, report.SenderNode, report.State, report.Recipients,
                    report.Confirmed, report.AtUs, report.Detail));
            }
            else
            {
                // A status of another link's message, held by its own StatusHeld record.
                oldest = Math.Min(oldest, lsn);
            }
        }

        foreach ((MessageFinalized record, long lsn) in _unforwarded.Values)
        {
            if (lsn > 0 && lsn < oldestMessage)
            {
                carried.Add(record);
            }
        }

        return (carried, oldest);
    }

    public Checkpoint ToCheckpoint()
    {
        var members = new List<string>();
        foreach (NodeState node in _nodes.Values)
        {
            if (node.IsMember)
            {
                members.Add(node.Name);
            }
        }

        return new Checkpoint(LastSequence, [.. _portSequences], [.. members], [.. Bindings], [.. _remembered.All]);
    }

    /// <summary>Applies one record; <paramref name="lsn"/> is 0 for a live record not yet durable.</summary>
    /// <returns>The message a record created, for the caller to track; otherwise null.</returns>
    public PendingMessage? Apply(LinkRecord record, long lsn)
    {
        switch (record)
        {
            case MessageAccepted r:
                return Accept(r, lsn);
            case DeliveryAttempted r when Find(r.Sequence, r.Node) is { } recipient:
                recipient.Attempt = Math.Max(recipient.Attempt, r.Attempt);
                break;
            case RecipientSettled r when Find(r.Sequence, r.Node) is { } recipient:
                Settle(recipient, r.Outcome);
                break;
            case RecipientsSettled r:
                foreach (Settlement settlement in r.Settlements)
                {
                    Settle(r.Node, settlement, r.AtUs);
                }

                break;
            case RecipientReassigned r when Find(r.Sequence, r.FromNode) is { } recipient:
                Reassign(recipient, r.ToNode);
                break;
            case MessageFinalized r:
                Finalize(r, lsn);
                break;
            case StatusHeld r:
                _heldStatuses[(r.Node, r.MessageId)] = (new StatusReport(r.MessageId, r.Node, r.State, r.Recipients, r.Confirmed, r.AtUs, r.Detail), lsn);
                break;
            case StatusForwarded r:
                if (_unforwarded.Remove(r.Sequence, out (MessageFinalized Record, long Lsn) forwarded))
                {
                    MessageFinalized f = forwarded.Record;
                    _accepted.Remove((f.SourceLink, f.SourceNode, f.MessageId));
                    _remembered.Add(new RememberedId(f.SourceLink, f.SourceNode, f.MessageId, f.Sequence, f.AtUs));
                }

                break;
            case StatusConfirmed r:
                Confirm(r.Node, r.MessageId);
                break;
            case StatusesConfirmed r:
                foreach (Guid id in r.MessageIds)
                {
                    Confirm(r.Node, id);
                }

                break;
            case NodeJoined r:
                Node(r.Node).IsMember = true;
                break;
            case NodeLeft r:
                Node(r.Node).IsMember = false;
                Bindings.RemoveAll(b => b.Node == r.Node);
                break;
            case PortBound r:
                Bindings.RemoveAll(b => b.Node == r.Node && b.Port == r.Port && b.Subtree == r.Subtree);
                Bindings.Add(r);
                break;
            case PortUnbound r:
                Bindings.RemoveAll(b => b.Node == r.Node && b.Port == r.Port && b.Subtree == r.Subtree);
                break;
            case Checkpoint r:
                ApplyCheckpoint(r);
                break;
        }

        return null;
    }

    /// <summary>
    /// Applies one settlement of a <see cref="RecipientsSettled"/> batch: the link applies each as it decides
    /// it, replay as it reads the record. A message left with every recipient settled is final now.
    /// </summary>
    /// <returns>The final status of the message this settlement finalized; otherwise null.</returns>
    public MessageFinalized? Settle(string node, Settlement settlement, long atUs)
    {
        if (Find(settlement.Sequence, node) is not { } recipient)
        {
            return null;
        }

        Settle(recipient, settlement.Outcome);
        PendingMessage message = recipient.Message;
        if (!message.IsSettled)
        {
            return null;
        }

        (FinalState state, uint confirmed) = message.Outcome();
        MessageAccepted a = message.Accepted;
        var finalized = new MessageFinalized(a.Sequence, a.MessageId, a.SourceLink, a.SourceNode, state, (uint)message.Recipients.Count,
            confirmed, atUs, PendingMessage.Describe(state, confirmed, message.Recipients.Count, message.Roams));

        // No record of its own holds this status: the acceptance does, with the settlement after it. Its LSN keeps
        // both through compaction until the status is confirmed or forwarded.
        Finalize(finalized, message.Lsn);
        return finalized;
    }

    private void Confirm(string node, Guid messageId)
    {
        // A pending message of this link's can share the id of another link's message whose status this is: its
        // acceptance stays (put back: a confirmation's own message is almost always the one removed).
        ulong sequence = 0;
        if (_accepted.Remove((Link, node, messageId), out ulong accepted))
        {
            if (_messages.ContainsKey(accepted))
            {
                _accepted.Add((Link, node, messageId), accepted);
            }
            else
            {
                sequence = accepted;
            }
        }

        if (_heldStatuses.Remove((node, messageId), out (StatusReport Report, long Lsn) held))
        {
            _remembered.Add(new RememberedId(Link, node, messageId, sequence, held.Report.AtUs));
        }
    }

    private PendingMessage Accept(MessageAccepted r, long lsn)
    {
        var message = new PendingMessage(r, lsn);
        int firstUnicast = r.FirstUnicast;
        for (int i = 0; i < r.Recipients.Length; i++)
        {
            string name = r.Recipients[i];
            var recipient = new Recipient(message, name) { Unicast = i >= firstUnicast };
            message.Recipients.Add(recipient);
            NodeState node = Node(name);
            node.Inbox.Set(r.Sequence, recipient);
            node.InboxBytes += r.Payload.Length;
        }

        _messages[r.Sequence] = message;
        _accepted[(r.SourceLink, r.SourceNode, r.MessageId)] = r.Sequence;
        LastSequence = Math.Max(LastSequence, r.Sequence);
        _portSequences[r.Port] = Math.Max(_portSequences.GetValueOrDefault(r.Port), r.PortSequence);
        return message;
    }

    private void Settle(Recipient recipient, RecipientOutcome outcome)
    {
        NodeState node = Node(recipient.Node);
        if (recipient.State == RecipientState.InFlight)
        {
            node.InFlight--;
        }

        recipient.State = RecipientState.Settled;
        recipient.Outcome = outcome;
        if (node.Inbox.Remove(recipient.Message.Sequence))
        {
            node.InboxBytes -= recipient.Message.Accepted.Payload.Length;
        }
    }

    private void Reassign(Recipient recipient, string toNode)
    {
        NodeState from = Node(recipient.Node);
        if (recipient.State == RecipientState.InFlight)
        {
            from.InFlight--;
        }

        if (from.Inbox.Remove(recipient.Message.Sequence))
        {
            from.InboxBytes -= recipient.Message.Accepted.Payload.Length;
        }

        recipient.Node = toNode;
        recipient.State = RecipientState.Waiting;
        recipient.DueUs = 0;
        NodeState to = Node(toNode);
        to.Inbox.Set(recipient.Message.Sequence, recipient);
        to.InboxBytes += recipient.Message.Accepted.Payload.Length;
    }

    private void Finalize(MessageFinalized r, long lsn)
    {
        if (_messages.Remove(r.Sequence, out PendingMessage? message))
        {
            foreach (Recipient recipient in message.Recipients)
            {
                if (recipient.State != RecipientState.Settled)
                {
                    Settle(recipient, r.State == FinalState.Canceled ? RecipientOutcome.Canceled : RecipientOutcome.Expired);
                }
            }

            // A real end of the message (not a carried copy of its status, whose message compaction archived already).
            RecordFinal(message, r);
        }

        // The id stays a duplicate until its status is confirmed or forwarded; after compaction this record,
        // not the dropped MessageAccepted, is what replay has of it. A message that was pending has its id there
        // already, put by its acceptance.
        if (message is null)
        {
            _accepted[(r.SourceLink, r.SourceNode, r.MessageId)] = r.Sequence;
        }
        if (r.SourceLink == Link)
        {
            _heldStatuses[(r.SourceNode, r.MessageId)] =
                (new StatusReport(r.MessageId, r.SourceNode, r.State, r.Recipients, r.Confirmed, r.AtUs, r.Detail), lsn);
        }
        else
        {
            _unforwarded[r.Sequence] = (r, lsn);
        }
    }

    private void ApplyCheckpoint(Checkpoint r)
    {
        LastSequence = Math.Max(LastSequence, r.LastSequence);
        foreach (KeyValuePair<string, ulong> entry in r.PortSequences)
        {
            _portSequences[entry.Key] = Math.Max(_portSequences.GetValueOrDefault(entry.Key), entry.Value);
        }

        foreach (NodeState node in _nodes.Values)
        {
            node.IsMember = false;
        }

        foreach (string member in r.Members)
        {
            Node(member).IsMember = true;
        }

        Bindings.Clear();
        Bindings.AddRange(r.Bindings);

        // The window of done-with ids, whose records compaction dropped; ids the log still has records of are known already.
        foreach (RememberedId id in r.Remembered)
        {
            if (!_accepted.ContainsKey((id.Link, id.Node, id.Id)) && !_remembered.TryGet(id.Link, id.Node, id.Id, out _))
            {
                _remembered.Add(id);
            }
        }
    }

    private Recipient? Find(ulong sequence, string node) =>
        _messages.TryGetValue(sequence, out PendingMessage? message) ? message.RecipientFor(node) : null;

    /// <summary>Marks a finalized message's status (held here, or to forward) with its durable LSN once known.</summary>
    public void SetFinalizedLsn(MessageFinalized record, long lsn)
    {
        if (record.SourceLink == Link)
        {
            SetStatusLsn(record.SourceNode, record.MessageId, lsn);
        }
        else if (_unforwarded.ContainsKey(record.Sequence))
        {
            _unforwarded[record.Sequence] = (record, lsn);
        }
    }

    /// <summary>Marks a status held in memory with its durable LSN once known.</summary>
    public void SetStatusLsn(string node, Guid messageId, long lsn)
    {
        if (_heldStatuses.TryGetValue((node, messageId), out (StatusReport Report, long Lsn) entry))
        {
            _heldStatuses[(node, messageId)] = (entry.Report, lsn);
        }
    }
}
