using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>A SEND's REPLY fields as the link keeps them, and back into a DELIVER's (docs/protocol.md section 5.10.1).</summary>
internal static class ReplyRoutes
{
    /// <summary>A request's empty <c>reply_link</c> becomes the sender's link, so that its DELIVER always names it.</summary>
    public static ReplyRoute From(in ReplyInfo reply, string senderLink) =>
        new(reply.CorrelationId, reply.IsReply ? string.Empty : reply.Link.IsEmpty ? senderLink : reply.Link.ToString(), reply.Port.ToString());

    public static ReplyInfo ToWire(ReplyRoute reply) => new(reply.CorrelationId, Utf8Text.From(reply.Link), Utf8Text.From(reply.Port));
}
