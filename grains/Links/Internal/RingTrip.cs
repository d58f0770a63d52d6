namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The ring trip of a roaming link's head message (docs/protocol.md section 5.18): its passes left, the stations that passed
/// it in this turn, and the offer open now. In memory: after a restart the message is durable in the link's log and its trip
/// starts again from the first station with the full ttl.
/// </summary>
internal sealed class RingTrip(ulong sequence, Guid messageId, int ttl)
{
    public ulong Sequence { get; } = sequence;

    public Guid MessageId { get; } = messageId;

    /// <summary>Passes left, the open offer's included.</summary>
    public int Ttl { get; set; } = ttl;

    public HashSet<string> Passed { get; } = new(StringComparer.Ordinal);

    /// <summary>The station offered the message now; null while no offer is open.</summary>
    public string? OfferedTo { get; private set; }

    public Guid OfferedAttachment { get; private set; }

    public long OfferedAtUs { get; private set; }

    public void Offer(string station, Guid attachment, long now)
    {
        OfferedTo = station;
        OfferedAttachment = attachment;
        OfferedAtUs = now;
    }

    /// <summary>True when the offer open now is this message's, to that station session.</summary>
    public bool IsOpenFor(Guid messageId, string station, Guid attachment) =>
        MessageId == messageId && OfferedTo == station && OfferedAttachment == attachment;

    /// <summary>The station passed (or let its offer time out): one pass less, and it is not offered this message again in this turn.</summary>
    public void Pass(int ttl)
    {
        Passed.Add(OfferedTo!);
        Ttl = ttl;
        OfferedTo = null;
    }

    /// <summary>The offer was lost with its station's session: made again later, the ttl unchanged.</summary>
    public void Lost() => OfferedTo = null;
}
