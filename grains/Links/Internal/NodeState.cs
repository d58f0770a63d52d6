using TamTam.Interfaces.Links;

namespace TamTam.Grains.Links.Internal;

/// <summary>A node of the link: membership, its session when online, and its durable inbox.</summary>
internal sealed class NodeState(string name)
{
    public string Name { get; } = name;

    /// <summary>Joined and not left. A non-member may still have an inbox while replay catches up.</summary>
    public bool IsMember { get; set; }

    public Guid SessionId { get; private set; }

    public ILinkObserver? Observer { get; private set; }

    public bool IsOnline => Observer is not null;

    /// <summary>The attached session's last measured round trip (NODES' <c>rtt_us</c>); 0 when unknown. In memory only.</summary>
    public uint RoundTripMicroseconds { get; set; }

    /// <summary>Unsettled deliveries for this node in link order: its inbox.</summary>
    public SequenceInbox Inbox { get; } = new();

    public long InboxBytes { get; set; }

    public int InFlight { get; set; }

    /// <summary>
    /// The protocol session the node's name belongs to while its connection is up, and for
    /// <see cref="ReservationTimeoutUs"/> after it ends (<see cref="ReservedUntilUs"/>); empty when none.
    /// In memory only: a new activation starts with every name free, which is what a JOIN after the timeout finds.
    /// </summary>
    public Guid HoldingSession { get; private set; }

    /// <summary>The holding session's timeout in microseconds: how long the name waits for it after a disconnect.</summary>
    public long ReservationTimeoutUs { get; private set; }

    /// <summary>Until when a disconnected node's name is kept for <see cref="HoldingSession"/>; 0 while connected.</summary>
    public long ReservedUntilUs { get; private set; }

    /// <summary>True when <paramref name="session"/> may not take this name at <paramref name="nowUs"/>: another session holds it.</summary>
    public bool IsHeldByAnotherThan(Guid session, long nowUs) =>
        HoldingSession != Guid.Empty && HoldingSession != session && (IsOnline || nowUs < ReservedUntilUs);

    /// <summary>True while <paramref name="session"/> holds the name: connected, or within its timeout.</summary>
    public bool IsHeldBy(Guid session, long nowUs) =>
        HoldingSession != Guid.Empty && HoldingSession == session && (IsOnline || nowUs < ReservedUntilUs);

    public void Hold(Guid session, long timeoutUs)
    {
        HoldingSession = timeoutUs > 0 ? session : Guid.Empty;
        ReservationTimeoutUs = timeoutUs;
        ReservedUntilUs = 0;
    }

    /// <summary>The connection ended without LEAVE: the name waits for the holding session until its timeout.</summary>
    public void Reserve(long nowUs) => ReservedUntilUs = HoldingSession == Guid.Empty ? 0 : nowUs + ReservationTimeoutUs;

    /// <summary>LEAVE: the name is free at once.</summary>
    public void Release()
    {
        HoldingSession = Guid.Empty;
        ReservedUntilUs = 0;
    }

    public void Attach(Guid sessionId, ILinkObserver observer)
    {
        if (sessionId != SessionId)
        {
            RoundTripMicroseconds = 0;
        }

        SessionId = sessionId;
        Observer = observer;
    }

    public void Detach()
    {
        SessionId = Guid.Empty;
        Observer = null;
        RoundTripMicroseconds = 0;
    }
}
