using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>One recipient of a message: its node, how its delivery stands, and the attempts it took.</summary>
/// <param name="Node">The recipient node.</param>
/// <param name="Outcome"><see cref="DeliveryOutcome.Pending"/> until its delivery is settled.</param>
/// <param name="Attempts">Deliveries made to it (0: not yet delivered).</param>
public sealed record MessageRecipient(string Node, DeliveryOutcome Outcome, int Attempts);

/// <summary>
/// What the interchange knows of one message (MESSAGE/MESSAGE_REPORT, docs/protocol.md section 5.19), never its payload:
/// its place in its link's order, who sent it where, when, its recipients and, once it has one, its final state.
/// </summary>
/// <param name="MessageId">The sender's id of the message.</param>
/// <param name="Sequence">Its place in its link's total order.</param>
/// <param name="SourceLink">The sending node's link.</param>
/// <param name="SourceNode">The sending node.</param>
/// <param name="Link">The link the message was sent to.</param>
/// <param name="Port">The port it was addressed to.</param>
/// <param name="State">Its final state, or null while it is pending.</param>
/// <param name="AcceptedAt">When the link accepted it.</param>
/// <param name="Deadline">When it expires; null for never.</param>
/// <param name="FinalAt">When it reached its final state; null while pending.</param>
/// <param name="Detail">The server's detail ("pending", or the final state's).</param>
/// <param name="Recipients">Its recipients, in the link's order of them.</param>
/// <param name="RecipientsTruncated">More recipients exist than fitted one report.</param>
public sealed record MessageDescriptor(
    Guid MessageId,
    ulong Sequence,
    string SourceLink,
    string SourceNode,
    string Link,
    string Port,
    FinalState? State,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? Deadline,
    DateTimeOffset? FinalAt,
    string Detail,
    IReadOnlyList<MessageRecipient> Recipients,
    bool RecipientsTruncated)
{
    /// <summary>True once the message has its final state: nothing about it changes any more.</summary>
    public bool IsFinal => State is not null;
}
