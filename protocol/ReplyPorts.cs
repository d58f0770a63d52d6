namespace TamTam.Protocol;

/// <summary>
/// The reserved reply ports of docs/protocol.md section 5.10.1: node <c>N</c> receives its replies on
/// <c>_reply/N</c>, and only <c>N</c> may bind it.
/// </summary>
public static class ReplyPorts
{
    /// <summary>The root of the reserved subtree.</summary>
    public const string Root = "_reply";

    /// <summary>The reply port of <paramref name="node"/>.</summary>
    public static string For(string node) => Root + "/" + node;

    /// <summary>
    /// Whether <paramref name="node"/> may bind <paramref name="port"/>: any port outside the reserved subtree, and
    /// within it only its own reply port, without SUBTREE.
    /// </summary>
    public static bool MayBind(string port, bool subtree, string node)
    {
        if (!port.StartsWith(Root, StringComparison.Ordinal) || (port.Length > Root.Length && port[Root.Length] != '/'))
        {
            return true;
        }

        return !subtree && port.Length == Root.Length + 1 + node.Length && port.EndsWith(node, StringComparison.Ordinal);
    }
}
