using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>An accepted message not yet final: its descriptor, payload and one entry per recipient.</summary>
internal sealed class PendingMessage
{
    // The detail of most statuses (a unicast message delivered), made once.
    private const string ConfirmedByTheOne = "confirmed by 1 of 1";

    public PendingMessage(MessageAccepted accepted, long lsn)
    {
        Accepted = accepted;
        Lsn = lsn;
        Recipients = new List<Recipient>(accepted.Recipients.Length);
    }

    public MessageAccepted Accepted { get; }

    public ulong Sequence => Accepted.Sequence;

    public Guid MessageId => Accepted.MessageId;

    /// <summary>LSN of the acceptance record, 0 until it is durable.</summary>
    public long Lsn { get; set; }

    /// <summary>Completes when the acceptance is durable; a duplicate SEND waits on it before answering.</summary>
    public Task Durable { get; set; } = Task.CompletedTask;

    public List<Recipient> Recipients { get; }

    public bool IsSettled
    {
        get
        {
            foreach (Recipient recipient in Recipients)
            {
                if (recipient.State != RecipientState.Settled)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public Recipient? RecipientFor(string node)
    {
        foreach (Recipient recipient in Recipients)
        {
            if (recipient.Node == node)
            {
                return recipient;
            }
        }

        return null;
    }

    /// <summary>
    /// DELIVERED when every recipient confirmed, PARTIAL when some did; otherwise the most telling failure
    /// (rejected, then undeliverable, then no route, then expired).
    /// </summary>
    public (FinalState State, uint Confirmed) Outcome()
    {
        uint confirmed = 0;
        var worst = FinalState.Expired;
        foreach (Recipient recipient in Recipients)
        {
            switch (recipient.Outcome)
            {
                case RecipientOutcome.Acknowledged:
                    confirmed++;
                    break;
                case RecipientOutcome.Rejected:
                    worst = FinalState.Rejected;
                    break;
                case RecipientOutcome.Undeliverable when worst != FinalState.Rejected:
                    worst = FinalState.Undeliverable;
                    break;
                case RecipientOutcome.NoRoute when worst == FinalState.Expired:
                    worst = FinalState.NoRoute;
                    break;
            }
        }

        if (confirmed == Recipients.Count)
        {
            return (FinalState.Delivered, confirmed);
        }

        return (confirmed > 0 ? FinalState.Partial : worst, confirmed);
    }

    /// <summary>Whether the message roams: its one recipient is the interchange (a station, or the ring).</summary>
    public bool Roams => Recipients.Count == 1 && Recipients[0].Node == Interfaces.Interchange.RoamingRecipient.Node;

    /// <summary>The final status's detail text; <paramref name="roams"/> for a message to a link beyond the interchange.</summary>
    public static string Describe(FinalState state, uint confirmed, int recipients, bool roams = false) => state switch
    {
        FinalState.NoRoute when roams => "no station claimed it on the interchange's ring",
        FinalState.Delivered when recipients == 1 => ConfirmedByTheOne,
        FinalState.Delivered or FinalState.Partial => $"confirmed by {confirmed} of {recipients}",
        FinalState.Expired => "the deadline passed before every recipient confirmed",
        FinalState.Rejected => "a recipient rejected it",
        FinalState.Undeliverable => "retries exhausted",
        FinalState.NoRoute => "no node is bound to its port any more",
        _ => state.ToString(),
    };
}

/// <summary>One node's delivery of a message.</summary>
internal sealed class Recipient(PendingMessage message, string node)
{
    public PendingMessage Message { get; } = message;

    public string Node { get; set; } = node;

    /// <summary>Chosen as a unicast binder (not reached through a group binding or broadcast): it may move when its node leaves.</summary>
    public bool Unicast { get; init; }

    public RecipientState State { get; set; } = RecipientState.Waiting;

    public RecipientOutcome Outcome { get; set; }

    public ushort Attempt { get; set; }

    /// <summary>True when this delivery may have reached the node before (after a restart, always).</summary>
    public bool MaybeDelivered { get; set; }

    /// <summary>
    /// <see cref="DueUs"/> of a delivery handed to the node's session and not yet written to its connection: its ack
    /// timeout starts once it is.
    /// </summary>
    public const long Unsent = long.MaxValue;

    /// <summary>Microseconds: when a waiting delivery may go out, or when an in-flight one times out (<see cref="Unsent"/> until sent).</summary>
    public long DueUs { get; set; }
}

internal enum RecipientState : byte
{
    /// <summary>In the node's inbox, to be delivered when due and the node is online.</summary>
    Waiting,

    /// <summary>Delivered, waiting for ACK or NACK.</summary>
    InFlight,

    /// <summary>Ended; see <see cref="Recipient.Outcome"/>.</summary>
    Settled,
}
