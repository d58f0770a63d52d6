using TamTam.Interfaces.Descriptors;
using TamTam.Protocol;

namespace TamTam.Interfaces.Links;

/// <summary>
/// A link's orchestrator: the single activation that owns the link's members, port bindings, total order
/// and durable log. It handles descriptors only and never looks inside a payload.
/// </summary>
/// <remarks>
/// Calls carry batches so that one grain call serves many frames of a session, and one durable write
/// serves many calls (group commit). Every operation that changes durable state returns only once the
/// change is durable.
/// </remarks>
[Alias("tamtam.ILinkGrain")]
public interface ILinkGrain : IGrainWithStringKey
{
    /// <summary>Registers <paramref name="attachment"/>'s node in the link, or refuses it (205 name taken).</summary>
    [Alias("join")]
    Task<OperationResult> JoinAsync(NodeAttachment attachment);

    /// <summary>The node leaves cleanly: its bindings go, its unconfirmed deliveries return to the link's rules.</summary>
    [Alias("leave")]
    Task<OperationResult> LeaveAsync(string node, Guid sessionId);

    /// <summary>The node's session ended without LEAVE: the node stays a member and its inbox waits for it.</summary>
    [Alias("detach")]
    Task DetachAsync(string node, Guid sessionId);

    [Alias("bind")]
    Task<OperationResult> BindAsync(string node, Guid sessionId, PortBinding binding);

    [Alias("unbind")]
    Task<OperationResult> UnbindAsync(string node, Guid sessionId, string port, bool subtree);

    /// <summary>
    /// Accepts a batch of messages addressed to this link. Each outcome, in the batch's order, is either an
    /// acceptance (durable, with its sequence) or a refusal with its code; nothing is half accepted.
    /// </summary>
    [Alias("send")]
    Task<SendOutcome[]> SendAsync(MessageSource source, SendCommand[] batch);

    /// <summary>
    /// Whether a message from <paramref name="source"/> to <paramref name="port"/> would be routed now: refused with
    /// 300 (no node bound, or a broadcast with no member but its sender) or 302 (an inbox full) as
    /// <see cref="SendAsync"/> would, else accepted (code 0, nothing recorded). A parted SEND asks before its upload
    /// starts; the message is checked again when it is sent.
    /// </summary>
    [Alias("check-route")]
    Task<SendOutcome> CheckRouteAsync(MessageSource source, string port, bool subtree);

    /// <summary>ACKs and NACKs of a node for deliveries it received; one outcome per command.</summary>
    [Alias("acknowledge")]
    Task<ErrorCode[]> AcknowledgeAsync(string node, Guid sessionId, AckCommand[] batch);

    /// <summary>
    /// The sender node has seen these final statuses (STATUS_ACK); the link forgets them. One outcome per id: none, or
    /// 307 when the link holds no status of that id for the node and has not had it confirmed within its duplicate
    /// window, or 501 when the confirmation could not be made durable (the status stays held and comes again).
    /// </summary>
    [Alias("confirm-statuses")]
    Task<ErrorCode[]> ConfirmStatusAsync(string node, Guid[] messageIds);

    /// <summary>Final statuses of messages this link's nodes sent to another link, reported by that link.</summary>
    [Alias("report-status")]
    Task ReportStatusAsync(StatusReport[] reports);

    /// <summary>The ports <paramref name="node"/> is bound to, in binding order; empty for a node that is not a member.</summary>
    [Alias("bindings-of")]
    Task<PortBinding[]> GetBindingsAsync(string node);

    /// <summary>
    /// The gateway measured the round trip of <paramref name="node"/>'s connection (its heartbeat's PONG), for NODES. Kept
    /// in memory while that session is attached; ignored for any other session.
    /// </summary>
    [Alias("report-round-trip"), Orleans.Concurrency.OneWay]
    Task ReportRoundTripAsync(string node, Guid sessionId, uint rttMicroseconds);

    /// <summary>The link's nodes, for NODES queries and operators.</summary>
    [Alias("nodes")]
    Task<NodeSummary[]> GetNodesAsync();

    /// <summary>The link's port bindings with the nodes holding each, sorted by port, for operators. Read-only.</summary>
    [Alias("ports")]
    Task<PortSummary[]> GetPortsAsync();

    /// <summary>
    /// True while protocol session <paramref name="session"/> holds <paramref name="node"/>: connected, or
    /// disconnected within its session timeout. The session directory asks, to forget sessions that are over.
    /// </summary>
    [Alias("holds-session")]
    Task<bool> HoldsSessionAsync(string node, Guid session);

    /// <summary>Whether a node joined the link in the cloud and has not left (docs/protocol.md section 5.18): its streams stay in the cloud.</summary>
    [Alias("hosted-in-cloud")]
    Task<bool> IsHostedInCloudAsync();

    /// <summary>The link's figures for LINKS: member nodes and the last assigned sequence.</summary>
    [Alias("summary")]
    Task<LinkSummary> GetSummaryAsync();

    /// <summary>
    /// The descriptor of message <paramref name="messageId"/>: pending, final and held, or final in the link's ledger
    /// within its retention. Asked by the message's descriptor grain; 307 when unknown to <paramref name="requester"/>.
    /// </summary>
    [Alias("describe-message")]
    Task<DescriptorAnswer> DescribeMessageAsync(Guid messageId, MessageRequester requester);

    /// <summary>Cancels a pending message (see <see cref="IMessageDescriptorGrain.CancelAsync"/>); decided in the link's order.</summary>
    [Alias("cancel-message")]
    Task<OperationResult> CancelMessageAsync(Guid messageId, MessageRequester requester);

    /// <summary>
    /// One page of the link's audit trail: final messages in the order of their acceptance, at most <paramref name="limit"/>,
    /// from <paramref name="cursor"/> (0: the start; else a page's <see cref="AuditPage.Next"/>).
    /// </summary>
    [Alias("read-audit")]
    Task<AuditPage> ReadAuditAsync(ulong cursor, int limit);

    /// <summary>
    /// A route to this link now goes through <paramref name="station"/>: the link's roaming messages are DELIVERed to it through
    /// <paramref name="observer"/>, and the statuses of the messages it sent on the link's behalf too. Refused with 205 when the
    /// link is hosted in the cloud (a member joined it). <paramref name="registered"/>: a registration, not a claim.
    /// </summary>
    [Alias("attach-station")]
    Task<OperationResult> AttachStationAsync(Interchange.StationAttachment station, ILinkObserver observer, bool registered);

    /// <summary>The route through this station session is gone: what it had not settled goes back to the interchange.</summary>
    [Alias("detach-station")]
    Task DetachStationAsync(string station, Guid attachmentId);

    /// <summary>STATION_CLAIM of the message this link offered the station; 307 when no such offer is open for it.</summary>
    [Alias("claim")]
    Task<ErrorCode> ClaimAsync(Guid messageId, Interchange.StationAttachment station, ILinkObserver observer);

    /// <summary>STATION_PASS with the offered ttl minus one; 307 when no such offer is open for the station, 114 for another ttl.</summary>
    [Alias("pass")]
    Task<ErrorCode> PassAsync(Guid messageId, string station, Guid attachmentId, byte ttl);

    /// <summary>The station's session ended with this link's offer open: the offer is made again after the offer retry delay.</summary>
    [Alias("offer-lost")]
    Task OfferLostAsync(Guid messageId, string station, Guid attachmentId);
}
