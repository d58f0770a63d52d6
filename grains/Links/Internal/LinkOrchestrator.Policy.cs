namespace TamTam.Grains.Links.Internal;

// The interchange policy (TamTam:Interchange:Policy) as the roaming pseudo-node sees it, and what it holds for the list of
// links with roaming messages (LinkGrain.RoamingIndex.cs).
internal sealed partial class LinkOrchestrator
{
    // Ring first: the highest sequence a station claimed on its ring trip. Only messages up to it go to the attached station;
    // each one after it rings first. Zero again once no station is attached: what comes back from it rings again.
    private ulong _ringGate;

    /// <summary>
    /// Ring first (<c>ring-first</c>): every roaming message rings, even while a route is known; a claim lets that message,
    /// and the ones claimed before it, go to the claiming station. False: direct when known.
    /// </summary>
    public bool RingFirst { get; set; }

    /// <summary>The link has, or had, roaming messages in this ledger.</summary>
    public bool HasRoamingNode => Ledger.Nodes.ContainsKey(RoamingNode);

    /// <summary>Roaming messages are not final yet: waiting, offered or delivered to a station and not settled.</summary>
    public bool RoamingPending => RoamingPendingCount > 0;

    public int RoamingPendingCount => Ledger.Nodes.TryGetValue(RoamingNode, out NodeState? node) ? node.Inbox.Count : 0;

    /// <summary>A station claimed the message of <paramref name="sequence"/> on its ring trip.</summary>
    public void Claimed(ulong sequence) => _ringGate = Math.Max(_ringGate, sequence);

    /// <summary>Whether <paramref name="message"/> may go to <paramref name="node"/>'s session now: under ring first, a roaming message only once claimed.</summary>
    private bool Admits(NodeState node, PendingMessage message) => !RingFirst || node.Name != RoamingNode || message.Sequence <= _ringGate;

    /// <summary>Whether a roaming message waiting is due for the ring rather than for the attached station.</summary>
    private bool Rings(Recipient recipient) => !RingFirst || recipient.Message.Sequence > _ringGate;
}
