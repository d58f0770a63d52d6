using TamTam.Interfaces.Links;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Who may take a node's name (docs/protocol.md sections 5.7 and 6.1): the session that holds it, while it is
/// connected or within its session timeout after a disconnect; anyone once it is free. A resume is refused with
/// 204 when its session no longer holds the name.
/// </summary>
internal static class SessionRules
{
    /// <summary>The refusal of <paramref name="attachment"/>'s JOIN of <paramref name="node"/>, or null when it may proceed.</summary>
    public static OperationResult? Refusal(NodeState node, NodeAttachment attachment, long nowUs, string link)
    {
        Guid session = attachment.EffectiveSession;
        if (attachment.Resume)
        {
            // Offline, a name nobody holds (the reservation was lost with an earlier activation of the link) is
            // free, so the resuming session may take it back as any JOIN could; one another session took over
            // since, or whose timeout ran out, is not the session's any more.
            bool resumable = node.IsMember && (node.IsOnline
                ? node.HoldingSession == session
                : node.HoldingSession == session ? nowUs < node.ReservedUntilUs : node.HoldingSession == Guid.Empty);
            return resumable
                ? null
                : OperationResult.Fail(ErrorCode.SessionExpired,
                    $"the session of node \"{attachment.Node}\" of link \"{link}\" has expired or was taken over; send HELLO without a resume token and JOIN again");
        }

        if (node.IsOnline && node.SessionId == attachment.SessionId)
        {
            // The same connection joining again (relinking to a new activation).
            return null;
        }

        if (node.IsOnline)
        {
            return OperationResult.Fail(ErrorCode.NameTaken, $"node \"{attachment.Node}\" is connected in another session of link \"{link}\"");
        }

        if (node.IsHeldByAnotherThan(session, nowUs))
        {
            return OperationResult.Fail(ErrorCode.NameTaken,
                $"node \"{attachment.Node}\" of link \"{link}\" is reserved for its disconnected session for {(node.ReservedUntilUs - nowUs) / 1_000_000.0:0.#} s more (that session may resume)");
        }

        return null;
    }
}
