using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// Deliveries: what is due goes out, answers settle or requeue, ack timeouts retry, deadlines expire, settled messages end.
internal sealed partial class LinkOrchestrator
{
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
        foreach (Recipient recipient in node.Inbox)
        {
            if (node.InFlight >= Options.DeliveryWindow)
            {
                break;
            }

            PendingMessage message = recipient.Message;
            if (recipient.State != RecipientState.Waiting || recipient.DueUs > now || message.Lsn == 0 || !Admits(node, message))
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
                recipient.Attempt, a.DeadlineUs, recipient.Attempt > 1 || recipient.MaybeDelivered, a.Payload, a.Transfer, a.Reply, a.TraceParent));
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
        foreach (Recipient recipient in node.Inbox)
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
            confirmed, now, PendingMessage.Describe(state, confirmed, message.Recipients.Count, message.Roams));
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
}
