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
internal sealed partial class LinkOrchestrator(LinkLedger ledger, OrchestratorOptions options, TimeProvider time)
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
    /// durable (applied already) when the node was no member; <paramref name="superseded"/> the observer of the
    /// session's earlier connection when this JOIN resumes the session on a new one while the old is still attached.
    /// </summary>
    public OperationResult? Join(NodeAttachment attachment, out NodeState node, out NodeJoined? joined, out ILinkObserver? superseded)
    {
        joined = null;
        superseded = null;
        node = Ledger.Node(attachment.Node);
        long now = NowUs();
        if (SessionRules.Refusal(node, attachment, now, Link) is { } refusal)
        {
            return refusal;
        }

        if (node.IsOnline && node.SessionId != attachment.SessionId)
        {
            // The same session resuming from a new connection before its old one was noticed gone: the old
            // connection's deliveries go back to the inbox and are sent again on the new one, and the old
            // connection is told to end (213): it must not go on acting as the node.
            superseded = node.Observer;
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
        foreach (Recipient recipient in state.Inbox.ToArray())
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

    /// <summary>A SEND from a connection of this link's node that another connection has taken over since (a resume).</summary>
    public bool IsSupersededSender(MessageSource source) =>
        source.Attachment != Guid.Empty && source.Link == Link && Ledger.Nodes.TryGetValue(source.Node, out NodeState? sender)
        && sender.IsOnline && sender.SessionId != source.Attachment;

    public bool TryGetSession(string node, Guid sessionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeState? state) =>
        Ledger.Nodes.TryGetValue(node, out state) && (state.IsMember || node == RoamingNode) && state.IsOnline && state.SessionId == sessionId;

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
                nodes.Add(new NodeSummary(node.Name, node.IsOnline, node.Inbox.Count, node.IsOnline ? node.RoundTripMicroseconds : 0));
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

    public PortSummary[] PortSummaries()
    {
        var ports = new Dictionary<(string Port, PortMode Mode, bool Subtree), SortedSet<string>>();
        foreach (PortBound bound in Ledger.Bindings)
        {
            if (!ports.TryGetValue((bound.Port, bound.Mode, bound.Subtree), out SortedSet<string>? nodes))
            {
                nodes = new SortedSet<string>(StringComparer.Ordinal);
                ports.Add((bound.Port, bound.Mode, bound.Subtree), nodes);
            }

            nodes.Add(bound.Node);
        }

        var summaries = new List<PortSummary>(ports.Count);
        foreach (((string port, PortMode mode, bool subtree), SortedSet<string> nodes) in ports)
        {
            summaries.Add(new PortSummary(port, mode, subtree, [.. nodes]));
        }

        summaries.Sort(static (a, b) => string.CompareOrdinal(a.Port, b.Port) is var byPort and not 0 ? byPort
            : a.Mode != b.Mode ? a.Mode.CompareTo(b.Mode) : a.Subtree.CompareTo(b.Subtree));
        return [.. summaries];
    }

    /// <summary>Applies <paramref name="record"/> to the ledger and adds it to the records to make durable.</summary>
    public void Apply(List<LinkRecord> records, LinkRecord record)
    {
        Ledger.Apply(record, 0);
        records.Add(record);
    }
}

