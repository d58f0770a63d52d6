using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Turns a port address into recipients (docs/architecture.md, "Ports"): broadcast reaches every member,
/// group every bound node, unicast one bound node in fair rotation. Subtrees match on '/' boundaries.
/// </summary>
internal sealed class RecipientRouter
{
    private readonly Dictionary<string, int> _rotation = new(StringComparer.Ordinal);

    public static bool Matches(PortBound binding, string port, bool addressSubtree) =>
        binding.Port == port
        || (binding.Subtree && IsBelow(port, binding.Port))
        || (addressSubtree && IsBelow(binding.Port, port));

    /// <summary>
    /// The recipients of a message to <paramref name="port"/>. <paramref name="accepts"/> says whether a
    /// node's inbox has room; a unicast choice skips nodes without room and prefers online nodes. With
    /// <paramref name="rotate"/> false the port's rotation is left where it is (a check, not a message).
    /// </summary>
    public (PortMode Mode, List<string> Recipients) Resolve(
        LinkLedger ledger, string port, bool addressSubtree, Func<NodeState, bool> accepts, bool rotate = true)
    {
        var recipients = new List<string>();
        bool broadcast = false;
        bool group = false;
        var unicast = new List<string>();
        foreach (PortBound binding in ledger.Bindings)
        {
            if (!Matches(binding, port, addressSubtree))
            {
                continue;
            }

            switch (binding.Mode)
            {
                case PortMode.Broadcast:
                    broadcast = true;
                    break;
                case PortMode.Group:
                    group = true;
                    AddOnce(recipients, binding.Node);
                    break;
                default:
                    AddOnce(unicast, binding.Node);
                    break;
            }
        }

        if (broadcast)
        {
            recipients.Clear();
            foreach (NodeState node in ledger.Nodes.Values)
            {
                if (node.IsMember)
                {
                    recipients.Add(node.Name);
                }
            }

            recipients.Sort(StringComparer.Ordinal);
            return (PortMode.Broadcast, recipients);
        }

        unicast.RemoveAll(recipients.Contains);
        if (unicast.Count > 0 && Choose(ledger, port, unicast, accepts, exclude: null, rotate) is { } chosen)
        {
            recipients.Add(chosen);
        }
        else if (unicast.Count > 0 && !group)
        {
            // Every unicast binder's inbox is full: report the first so the caller refuses with 302.
            recipients.Add(unicast[0]);
        }

        return (group ? PortMode.Group : PortMode.Unicast, recipients);
    }

    /// <summary>Another unicast binder for a delivery whose node left; null when none is left.</summary>
    public string? Reassign(LinkLedger ledger, string port, string leaving, Func<NodeState, bool> accepts)
    {
        var candidates = new List<string>();
        foreach (PortBound binding in ledger.Bindings)
        {
            if (binding.Mode == PortMode.Unicast && binding.Node != leaving && Matches(binding, port, addressSubtree: false))
            {
                AddOnce(candidates, binding.Node);
            }
        }

        return Choose(ledger, port, candidates, accepts, leaving, rotate: true);
    }

    // Fair rotation: each message to a port starts one further along its sorted binders; online nodes with
    // room win over offline ones, which still get the message (it waits in their inbox) if no one else can.
    private string? Choose(LinkLedger ledger, string port, List<string> candidates, Func<NodeState, bool> accepts, string? exclude, bool rotate)
    {
        candidates.Sort(StringComparer.Ordinal);
        int start = _rotation.GetValueOrDefault(port);
        if (rotate)
        {
            _rotation[port] = start + 1;
        }

        string? offline = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            string name = candidates[(start + i) % candidates.Count];
            NodeState node = ledger.Node(name);
            if (name == exclude || !accepts(node))
            {
                continue;
            }

            if (node.IsOnline)
            {
                return name;
            }

            offline ??= name;
        }

        return offline;
    }

    private static bool IsBelow(string port, string root) =>
        port.Length > root.Length && port[root.Length] == '/' && port.StartsWith(root, StringComparison.Ordinal);

    private static void AddOnce(List<string> list, string item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
