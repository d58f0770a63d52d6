using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// Accepting and routing: a SEND batch becomes acceptances (or duplicates, or refusals) with their recipients fixed.
internal sealed partial class LinkOrchestrator
{
    /// <summary>
    /// A batch of SENDs: each accepted (its <see cref="MessageAccepted"/> applied and added to <paramref name="records"/>,
    /// its message to <paramref name="created"/>), answered as a duplicate (an original still pending in
    /// <paramref name="duplicates"/>: the answer waits until it is durable) or refused.
    /// </summary>
    /// <paramref name="roaming"/>: the link is not hosted in the cloud and the interchange may carry its messages (5.18).
    public SendOutcome[] Send(MessageSource source, SendCommand[] batch, long now, List<LinkRecord> records, List<PendingMessage> created,
        out List<PendingMessage>? duplicates, bool roaming = false)
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

            outcomes[i] = Accept(source, command, now, records, created, roaming);
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
    /// Why a message of <paramref name="size"/> bytes to <paramref name="port"/> would be refused now (300 or 302), or
    /// null with its recipients.
    /// </summary>
    public SendOutcome? RouteRefusal(
        string port, bool subtree, int size, string? sender, bool rotate, out PortMode mode, out string[] recipients, out int unicastFrom)
    {
        mode = PortMode.Unicast;
        recipients = [];
        unicastFrom = 0;
        if (!Ledger.Exists)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, $"link \"{Link}\" has no nodes");
        }

        InboxRoom hasRoom = HasRoomFor(size);
        (mode, List<string> resolved, unicastFrom) = _router.Resolve(Ledger, port, subtree, hasRoom, sender, rotate);
        if (resolved.Count == 0)
        {
            return SendOutcome.Refused(ErrorCode.NoRoute, mode == PortMode.Broadcast
                ? $"link \"{Link}\" has no member but the sender to broadcast port \"{port}\" to"
                : $"no node of link \"{Link}\" is bound to port \"{port}\"");
        }

        foreach (string name in resolved)
        {
            NodeState node = Ledger.Node(name);
            if (!hasRoom.For(node))
            {
                return SendOutcome.Refused(ErrorCode.QuotaExceeded,
                    $"the inbox of node \"{name}\" is full ({node.Inbox.Count} messages, {node.InboxBytes} bytes); try again later");
            }
        }

        recipients = [.. resolved];
        return null;
    }

    /// <summary>The sending node when it is of this link: a broadcast leaves it out.</summary>
    public string? SenderOf(MessageSource source) => source.Link == Link ? source.Node : null;

    private SendOutcome Accept(MessageSource source, SendCommand command, long now, List<LinkRecord> records, List<PendingMessage> created, bool roaming)
    {
        int size = command.Payload.Length;
        if (size > Options.MaxMessageBytes)
        {
            return SendOutcome.Refused(ErrorCode.MessageTooLarge, $"{size} bytes exceed link \"{Link}\"'s limit of {Options.MaxMessageBytes}");
        }

        if (roaming)
        {
            MessageAccepted roamer = AcceptRoaming(source, command, now, Options.DeadlineUs(command.TtlMs, now));
            created.Add(Ledger.Apply(roamer, 0)!);
            records.Add(roamer);
            return new SendOutcome(ErrorCode.None, roamer.Sequence, now, Duplicate: false, null);
        }

        if (RouteRefusal(command.Port, command.Subtree, size, SenderOf(source), rotate: true, out PortMode mode, out string[] recipients, out int unicastFrom)
            is { } refusal)
        {
            return refusal;
        }

        long deadline = Options.DeadlineUs(command.TtlMs, now);
        var accepted = new MessageAccepted(Ledger.NextSequence(), command.MessageId, now, deadline, source.Link, source.Node,
            command.Port, mode, Ledger.NextPortSequence(command.Port), recipients, command.Payload, command.Transfer, command.Subtree,
            mode == PortMode.Group && unicastFrom < recipients.Length ? unicastFrom : -1, command.Reply, command.TraceParent);
        created.Add(Ledger.Apply(accepted, 0)!);
        records.Add(accepted);
        return new SendOutcome(ErrorCode.None, accepted.Sequence, now, Duplicate: false, null);
    }

    private InboxRoom HasRoomFor(int size) => new(Options.MaxInboxMessages, Options.MaxInboxBytes, size);
}
