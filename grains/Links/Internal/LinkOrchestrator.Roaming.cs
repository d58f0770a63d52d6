using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

// Roaming: a link nobody joined in the cloud is served through the interchange. Its messages wait in the inbox of one
// pseudo-node, the interchange's, whose session is the station of the link's route when one is known; without one the
// grain ring-forwards the inbox's head (LinkGrain.Stations.cs). Durability, order, retries, deadlines and final states are
// the inbox's, as for any node.
internal sealed partial class LinkOrchestrator
{
    /// <summary>The pseudo-node that receives a roaming link's messages: no node can take the name (':' is not allowed in names).</summary>
    public const string RoamingNode = Interfaces.Interchange.RoamingRecipient.Node;

    /// <summary>The station the route to this link goes through now; null while none is attached.</summary>
    public string? Station { get; private set; }

    /// <summary>True while <see cref="Station"/> registered the link (a JOIN of it is then 205).</summary>
    public bool StationRegistered { get; private set; }

    /// <summary>
    /// Hosted in the cloud: a node joined the link and has not left, online or not (docs/protocol.md section 5.18). Such a
    /// link's messages are local; any other link's are roaming.
    /// </summary>
    public bool IsHostedInCloud
    {
        get
        {
            foreach (NodeState node in Ledger.Nodes.Values)
            {
                if (node.IsMember && node.Name != RoamingNode)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The roaming pseudo-node while a station's session receives its deliveries.</summary>
    public bool RoamingOnline => Ledger.Nodes.TryGetValue(RoamingNode, out NodeState? node) && node.IsOnline;

    /// <summary>Roaming messages wait with no route to carry them: the ring's work.</summary>
    public bool RoamingWaits => Ledger.Nodes.TryGetValue(RoamingNode, out NodeState? node)
        && (node.IsOnline ? RingFirst && RoamingHead() is not null : node.Inbox.Count > 0);

    /// <summary>
    /// A route to this link goes through <paramref name="station"/>'s session from now on; 205 when the link is hosted in the
    /// cloud. A route through another session of any station is replaced: what that session had in flight comes again.
    /// </summary>
    public OperationResult? AttachStation(string station, Guid attachmentId, ILinkObserver observer, bool registered, out NodeState node)
    {
        node = Ledger.Node(RoamingNode);
        if (IsHostedInCloud)
        {
            return OperationResult.Fail(ErrorCode.NameTaken, $"link \"{Link}\" is hosted in the cloud: a node joined it");
        }

        if (node.IsOnline && node.SessionId != attachmentId)
        {
            Detach(node);
        }

        StationRegistered = registered || (StationRegistered && Station == station && node.SessionId == attachmentId);
        node.Attach(attachmentId, observer);
        Station = station;
        return null;
    }

    /// <summary>The route through that station session ended: its unsettled deliveries go back to the inbox. False when it was not attached.</summary>
    public bool DetachStation(string station, Guid attachmentId)
    {
        if (Station != station || !Ledger.Nodes.TryGetValue(RoamingNode, out NodeState? node) || node.SessionId != attachmentId)
        {
            return false;
        }

        Detach(node);
        node.Release();
        Station = null;
        StationRegistered = false;
        _ringGate = 0;
        return true;
    }

    /// <summary>The first roaming message waiting for a route, in link order; null when none waits.</summary>
    public Recipient? RoamingHead()
    {
        if (!Ledger.Nodes.TryGetValue(RoamingNode, out NodeState? node))
        {
            return null;
        }

        foreach (Recipient recipient in node.Inbox)
        {
            if (recipient.State == RecipientState.Waiting && recipient.Message.Lsn != 0 && Rings(recipient))
            {
                return recipient;
            }
        }

        return null;
    }

    /// <summary>A ring-forwarded message nobody claimed: it ends NO_ROUTE (records applied and added).</summary>
    public void EndRoaming(PendingMessage message, long now, List<LinkRecord> records, List<MessageFinalized> finalized)
    {
        Apply(records, new RecipientSettled(message.Sequence, RoamingNode, RecipientOutcome.NoRoute));
        FinalizeIfSettled(message, now, records, finalized);
    }

    private MessageAccepted AcceptRoaming(MessageSource source, SendCommand command, long now, long deadline) =>
        new(Ledger.NextSequence(), command.MessageId, now, deadline, source.Link, source.Node, command.Port, PortMode.Unicast, 0,
            [RoamingNode], command.Payload, command.Transfer, command.Subtree, -1, command.Reply, command.TraceParent);
}
