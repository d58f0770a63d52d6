using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// Registers this session as node <paramref name="node"/> of link <paramref name="link"/> (JOIN). A session is
    /// in at most one link; joining is needed before binding, sending or receiving.
    /// </summary>
    /// <param name="link">The link's name: 1–64 UTF-8 bytes, no spaces, controls, <c>:</c> or <c>/</c>.</param>
    /// <param name="node">The node's name, unique among the link's live nodes; same rules as a link name.</param>
    /// <param name="cancellationToken">Stops waiting for the reply (the JOIN may still take effect).</param>
    /// <exception cref="TamTamException">
    /// Refused: 205 NAME_TAKEN, 207 ALREADY_JOINED, 203 FORBIDDEN, or 113 INVALID_NAME for a malformed name.
    /// </exception>
    public async ValueTask JoinAsync(string link, string node, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(link);
        ArgumentException.ThrowIfNullOrEmpty(node);
        await RequestAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From(node)), FrameType.Ok, cancellationToken).ConfigureAwait(false);
        Link = link;
        Node = node;
    }

    /// <summary>
    /// Leaves the link cleanly (LEAVE): bindings are removed and undelivered messages of this node's inbox go
    /// back to the link's retry rules. The connection stays open; the session may join again.
    /// </summary>
    /// <exception cref="TamTamException">Refused, e.g. 206 NOT_JOINED.</exception>
    public async ValueTask LeaveAsync(CancellationToken cancellationToken = default)
    {
        await RequestAsync(default(LeaveFrame), FrameType.Ok, cancellationToken).ConfigureAwait(false);
        Link = null;
        Node = null;
        _replyPortNode = null;
    }

    /// <summary>
    /// Asks for the messages sent to <paramref name="port"/> (BIND). They arrive through <see cref="ReceiveAsync"/>.
    /// </summary>
    /// <param name="port">A port name such as <c>orders/eu/new</c>: <c>/</c>-separated names, 1–255 bytes.</param>
    /// <param name="mode">
    /// Unicast (one bound node receives each message, in fair rotation), group (every bound node) or broadcast
    /// (every node of the link but the sender). The first binding of a port fixes its mode.
    /// </param>
    /// <param name="subtree">Also receive for every port below <paramref name="port"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the reply.</param>
    /// <exception cref="TamTamException">Refused: 301 PORT_MODE_CONFLICT, 206 NOT_JOINED, 113 INVALID_NAME, …</exception>
    public async ValueTask BindAsync(string port, PortMode mode = PortMode.Unicast, bool subtree = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        if (mode is < PortMode.Unicast or > PortMode.Broadcast)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unicast, Group or Broadcast.");
        }

        await RequestAsync(new BindFrame(mode, _names.Encode(port), subtree), FrameType.Ok, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a binding made by <see cref="BindAsync"/> (UNBIND), with the same <paramref name="subtree"/> choice.</summary>
    /// <exception cref="TamTamException">Refused: 306 NOT_BOUND, 206 NOT_JOINED, …</exception>
    public async ValueTask UnbindAsync(string port, bool subtree = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        await RequestAsync(new UnbindFrame(_names.Encode(port), subtree), FrameType.Ok, cancellationToken).ConfigureAwait(false);
    }
}
