using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The link's in-memory index, rebuilt from its log: members, bindings, counters, pending messages,
/// inboxes and the statuses senders have not confirmed. <see cref="Apply"/> is the only way it changes,
/// both while the link runs and while it replays, so the two cannot drift apart.
/// </summary>
internal sealed class LinkLedger(string link)
{
    private readonly Dictionary<ulong, PendingMessage> _messages = [];
    private readonly Dictionary<(string Link, string Node, Guid Id), ulong> _accepted = [];
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _portSequences = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, (MessageFinalized Record, long Lsn)> _unforwarded = [];
    private readonly Dictionary<(string Node, Guid Id), (StatusReport Report, long Lsn)> _heldStatuses = [];

    public string Link { get; } = link;

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

    public bool TryGetAccepted(string sourceLink, string sourceNode, Guid messageId, out ulong sequence) =>
        _accepted.TryGetValue((sourceLink, sourceNode, messageId), out sequence);

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

    public bool HoldsStatus(string node, Guid messageId) => _heldStatuses.ContainsKey((node, messageId));

    /// <summary>
    /// The oldest LSN replay still needs: nothing below it is live. Records not yet durable (LSN 0) are
    /// bounded by <paramref name="nextLsn"/>, the log's next LSN when the caller took its checkpoint.
    /// </summary>
    public long OldestLiveLsn(long nextLsn)
    {
        long oldest = nextLsn;
        foreach (PendingMessage message in _messages.Values)
        {
            if (message.Lsn > 0 && message.Lsn < oldest)
            {
                oldest = message.Lsn;
            }
        }

        foreach ((MessageFinalized _, long lsn) in _unforwarded.Values)
        {
            if (lsn > 0 && lsn < oldest)
            {
                oldest = lsn;
            }
        }

        foreach ((StatusReport _, long lsn) in _heldStatuses.Values)
        {
            if (lsn > 0 && lsn < oldest)
            {
                oldest = lsn;
            }
        }

        return oldest;
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

        return new Checkpoint(LastSequence, [.. _portSequences], [.. members], [.. Bindings]);
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
                    _accepted.Remove((forwarded.Record.SourceLink, forwarded.Record.SourceNode, forwarded.Record.MessageId));
                }

                break;
            case StatusConfirmed r:
                _heldStatuses.Remove((r.Node, r.MessageId));
                _accepted.Remove((Link, r.Node, r.MessageId));
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

    private PendingMessage Accept(MessageAccepted r, long lsn)
    {
        var message = new PendingMessage(r, lsn);
        foreach (string name in r.Recipients)
        {
            var recipient = new Recipient(message, name);
            message.Recipients.Add(recipient);
            NodeState node = Node(name);
            node.Inbox[r.Sequence] = recipient;
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
        to.Inbox[recipient.Message.Sequence] = recipient;
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
                    Settle(recipient, RecipientOutcome.Expired);
                }
            }
        }

        // The id stays a duplicate until its status is confirmed or forwarded; after compaction this record,
        // not the dropped MessageAccepted, is what replay has of it.
        _accepted[(r.SourceLink, r.SourceNode, r.MessageId)] = r.Sequence;
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
