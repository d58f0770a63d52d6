using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// One entry of a link's append-only log. The log is the link's durable truth: replaying it from the
/// start rebuilds every member, binding, pending message and unconfirmed status.
/// </summary>
internal abstract record LinkRecord;

/// <summary>
/// A message accepted into the link's order, with its recipients fixed at acceptance. A parted message has an
/// empty payload and its <see cref="Transfer"/> descriptor: its bytes live in the payload store.
/// <see cref="Subtree"/>: sent with SUBTREE, so a unicast delivery whose node leaves may move to any binder of
/// the subtree. <see cref="UnicastFrom"/>: the index in <see cref="Recipients"/> of the first recipient chosen
/// as a unicast binder (a group message lists its group binders first); -1 for what <see cref="Mode"/> implies.
/// <see cref="Reply"/>: sent with REPLY (a request or a reply), carried into every DELIVER of it.
/// </summary>
internal sealed record MessageAccepted(
    ulong Sequence,
    Guid MessageId,
    long AcceptedAtUs,
    long DeadlineUs,
    string SourceLink,
    string SourceNode,
    string Port,
    PortMode Mode,
    ulong PortSequence,
    string[] Recipients,
    byte[] Payload,
    TransferDescriptor? Transfer = null,
    bool Subtree = false,
    int UnicastFrom = -1,
    ReplyRoute? Reply = null,
    string? TraceParent = null) : LinkRecord
{
    /// <summary>
    /// The first recipient whose delivery may move to another binder when its node leaves: every recipient of a
    /// unicast message, those after the group binders of a group message, none of a broadcast.
    /// </summary>
    public int FirstUnicast => UnicastFrom >= 0 ? UnicastFrom : Mode == PortMode.Unicast ? 0 : Recipients.Length;
}

/// <summary>A redelivery was made (first deliveries are not logged: after a restart every delivery counts as a redelivery).</summary>
internal sealed record DeliveryAttempted(ulong Sequence, string Node, ushort Attempt) : LinkRecord;

/// <summary>One recipient of a message reached its end.</summary>
internal sealed record RecipientSettled(ulong Sequence, string Node, RecipientOutcome Outcome) : LinkRecord;

/// <summary>
/// One node's ACK/NACK batch: the end of each of its deliveries. A message that a settlement leaves with every
/// recipient settled is final at <paramref name="AtUs"/>, and no <see cref="MessageFinalized"/> follows: its
/// final state, counts and detail are derived from the ledger, as they were when the record was written.
/// </summary>
internal sealed record RecipientsSettled(string Node, long AtUs, Settlement[] Settlements) : LinkRecord;

/// <summary>One delivery's end within a <see cref="RecipientsSettled"/> batch.</summary>
internal readonly record struct Settlement(ulong Sequence, RecipientOutcome Outcome);

/// <summary>A unicast delivery (of a unicast or group message) moved to another bound node: its node left the link.</summary>
internal sealed record RecipientReassigned(ulong Sequence, string FromNode, string ToNode) : LinkRecord;

/// <summary>The message's final state; held for its sender if the sender is a node of this link.</summary>
internal sealed record MessageFinalized(
    ulong Sequence,
    Guid MessageId,
    string SourceLink,
    string SourceNode,
    FinalState State,
    uint Recipients,
    uint Confirmed,
    long AtUs,
    string Detail) : LinkRecord;

/// <summary>A final status of another link's message, held for a node of this link.</summary>
internal sealed record StatusHeld(Guid MessageId, string Node, FinalState State, uint Recipients, uint Confirmed, long AtUs, string Detail)
    : LinkRecord;

/// <summary>The final status of a message from another link was handed to that link.</summary>
internal sealed record StatusForwarded(ulong Sequence) : LinkRecord;

/// <summary>The sender node confirmed a status (STATUS_ACK): it is forgotten. Written by logs before <see cref="StatusesConfirmed"/>.</summary>
internal sealed record StatusConfirmed(string Node, Guid MessageId) : LinkRecord;

/// <summary>The sender node confirmed these statuses (one STATUS_ACK batch): they are forgotten.</summary>
internal sealed record StatusesConfirmed(string Node, Guid[] MessageIds) : LinkRecord;

internal sealed record NodeJoined(string Node) : LinkRecord;

internal sealed record NodeLeft(string Node) : LinkRecord;

internal sealed record PortBound(string Node, string Port, PortMode Mode, bool Subtree) : LinkRecord;

internal sealed record PortUnbound(string Node, string Port, bool Subtree) : LinkRecord;

/// <summary>
/// The link's small index at one point: counters, members, bindings and the ids of done-with messages still in the
/// duplicate window. Written before old segments are truncated, so that replay never needs records older than the
/// oldest live message.
/// </summary>
internal sealed record Checkpoint(
    ulong LastSequence,
    KeyValuePair<string, ulong>[] PortSequences,
    string[] Members,
    PortBound[] Bindings,
    RememberedId[]? RememberedIds = null) : LinkRecord
{
    public RememberedId[] Remembered => RememberedIds ?? [];
}

/// <summary>
/// A faulted link's storage took a write again (<c>LinkGrain</c>'s storage probe). Replay passes over it: it only
/// proves the log writable.
/// </summary>
internal sealed record StorageProbed(long AtUs) : LinkRecord;

/// <summary>How a recipient's delivery ended.</summary>
internal enum RecipientOutcome : byte
{
    Acknowledged = 1,
    Rejected = 2,
    Expired = 3,
    Undeliverable = 4,
    NoRoute = 5,
    Canceled = 6,
}
