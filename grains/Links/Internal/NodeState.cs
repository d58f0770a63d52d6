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

    /// <summary>Unsettled deliveries for this node in link order: its inbox.</summary>
    public SortedDictionary<ulong, Recipient> Inbox { get; } = [];

    public long InboxBytes { get; set; }

    public int InFlight { get; set; }

    public void Attach(Guid sessionId, ILinkObserver observer)
    {
        SessionId = sessionId;
        Observer = observer;
    }

    public void Detach()
    {
        SessionId = Guid.Empty;
        Observer = null;
    }
}
