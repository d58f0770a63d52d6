using TamTam.Gateway.Security;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Which requests a session's access token refuses (docs/security.md, section 4), and the detail of the 203
/// that answers them. Field errors (111–115) surface first, as <see cref="ProtocolException"/> from decoding.
/// </summary>
internal static class AccessCheck
{
    /// <summary>The refusal of a JOIN, BIND or NODES; <see langword="null"/> when the token allows it (LEAVE and UNBIND always are).</summary>
    public static string? Refusal(in Frame frame, AccessToken access, SessionLink? joined)
    {
        switch (frame.Type)
        {
            case FrameType.Join:
                JoinFrame join = frame.Decode<JoinFrame>();
                string link = join.Link.ToString();
                string node = join.Node.ToString();
                if (access.AllowsJoin(link, node))
                {
                    return null;
                }

                return access.Node is not null && access.AllowsJoin(link, access.Node)
                    ? $"the access token does not allow joining as node \"{node}\""
                    : $"the access token does not allow joining link \"{link}\"";

            case FrameType.Bind:
                BindFrame bind = frame.Decode<BindFrame>();
                return access.AllowsBind(bind.Port.Utf8.Span, bind.Subtree)
                    ? null
                    : $"the access token does not allow binding {bind.Port}{SubtreeNote(bind.Subtree)}";

            case FrameType.Nodes:
                NodesFrame query = frame.Decode<NodesFrame>();
                ReadOnlySpan<byte> own = joined is null ? default : joined.LinkUtf8.Span;

                // Empty: the own link, or 206 when not joined.
                return query.Link.IsEmpty || access.AllowsQuery(own, query.Link.Utf8.Span)
                    ? null
                    : $"the access token does not allow listing the nodes of link \"{query.Link}\"";

            default:
                // LEAVE and UNBIND only undo what the token allowed.
                return null;
        }
    }

    /// <summary>The refusal of a SEND by a node of <paramref name="joined"/>; <see langword="null"/> when the token allows it.</summary>
    public static string? SendRefusal(in SendFrame send, AccessToken access, SessionLink joined) =>
        access.AllowsSend(joined.LinkUtf8.Span, send.DestLink.Utf8.Span, send.DestPort.Utf8.Span, send.Subtree)
            ? null
            : $"the access token does not allow sending to {(send.DestLink.IsEmpty ? string.Empty : $"{send.DestLink}:")}{send.DestPort}{SubtreeNote(send.Subtree)}";

    private static string SubtreeNote(bool subtree) => subtree ? " (SUBTREE)" : string.Empty;
}
