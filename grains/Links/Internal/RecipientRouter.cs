using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Turns a port address into recipients (docs/architecture.md, "Ports"): broadcast reaches every member but the
/// sender, group every bound node, unicast one bound node in fair rotation. Subtrees match on '/' boundaries.
/// </summary>
internal sealed class RecipientRouter
{
    private readonly Dictionary<string, int> _rotation = new(StringComparer.Ordinal);

    // Resolve's lists, reused by every call (a link resolves one message at a time): its result is read before the next.
    private readonly List<string> _recipients = [];
    private readonly List<string> _unicast = [];

    public static bool Matches(PortBound binding, string port, bool addressSubtree) =>
        binding.Port == port
        || (binding.Subtree && IsBelow(port, binding.Port))
        || (addressSubtree && IsBelow(binding.Port, port));

    /// <summary>
    /// The recipients of a message to <paramref name="port"/>. <paramref name="accepts"/> says whether a
    /// node's inbox has room; a unicast choice skips nodes without room and prefers online nodes. With
    /// <paramref name="addressSubtree"/>, each unicast port of the subtree gives the message to one of its binders.
    /// With <paramref name="rotate"/> false the ports' rotations are left where they are (a check, not a message).
    /// <paramref name="sender"/>, the sending node when it is of this link, is left out of a broadcast: it has the
    /// message already. The result lists group binders first; <c>UnicastFrom</c> is the index of the first unicast choice.
    /// The list is the router's own, valid until its next call: copy what is kept.
    /// </summary>
    public (PortMode Mode, List<string> Recipients, int UnicastFrom) Resolve(
        LinkLedger ledger, string port, bool addressSubtree, InboxRoom accepts, string? sender, bool rotate = true)
    {
        List<string> recipients = _recipients;
        recipients.Clear();
        bool broadcast = false;
        bool group = false;
        List<string>? unicast = null; // without SUBTREE: the addressed port's binders
        List<(string Port, List<string> Binders)>? subtree = null;
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
                    // Without SUBTREE every matching binding serves the addressed port: one choice among them all.
                    AddOnce(addressSubtree ? BindersOf(subtree ??= [], binding.Port) : unicast ??= Cleared(_unicast), binding.Node);
                    break;
            }
        }

        if (broadcast)
        {
            recipients.Clear();
            foreach (NodeState node in ledger.Nodes.Values)
            {
                if (node.IsMember && node.Name != sender)
                {
                    recipients.Add(node.Name);
                }
            }

            recipients.Sort(StringComparer.Ordinal);
            return (PortMode.Broadcast, recipients, recipients.Count);
        }

        int unicastFrom = recipients.Count;

        if (unicast is not null)
        {
            AddChoice(ledger, recipients, port, unicast, accepts, group, rotate);
        }

        if (subtree is not null)
        {
            if (subtree.Count > 1)
            {
                subtree.Sort((a, b) => string.CompareOrdinal(a.Port, b.Port));
            }

            foreach ((string unicastPort, List<string> binders) in subtree)
            {
                AddChoice(ledger, recipients, unicastPort, binders, accepts, group, rotate);
            }
        }

        return (group ? PortMode.Group : PortMode.Unicast, recipients, unicastFrom);
    }

    /// <summary>
    /// Another unicast binder for a unicast delivery whose node left; null when none is left. Any unicast binder of
    /// the message's port (within its subtree, for a message sent with SUBTREE) that has no delivery of it already:
    /// a node receives a message once, whether through a group binding, a unicast one or an earlier move.
    /// </summary>
    public string? Reassign(LinkLedger ledger, PendingMessage message, string leaving, InboxRoom accepts)
    {
        MessageAccepted accepted = message.Accepted;
        var candidates = new List<string>();
        foreach (PortBound binding in ledger.Bindings)
        {
            if (binding.Mode == PortMode.Unicast && binding.Node != leaving && Matches(binding, accepted.Port, accepted.Subtree)
                && message.RecipientFor(binding.Node) is null)
            {
                AddOnce(candidates, binding.Node);
            }
        }

        return Choose(ledger, accepted.Port, candidates, accepts, leaving, rotate: true);
    }

    /// <summary>Adds one binder of a unicast port, unless every binder receives the message already.</summary>
    private void AddChoice(LinkLedger ledger, List<string> recipients, string port, List<string> binders, InboxRoom accepts, bool group, bool rotate)
    {
        if (recipients.Count > 0)
        {
            binders.RemoveAll(recipients.Contains);
        }

        if (binders.Count == 0)
        {
            return;
        }

        if (Choose(ledger, port, binders, accepts, exclude: null, rotate) is { } chosen)
        {
            recipients.Add(chosen);
        }
        else if (!group)
        {
            // Every binder's inbox is full: report the first so the caller refuses with 302.
            recipients.Add(binders[0]);
        }
    }

    private static List<string> BindersOf(List<(string Port, List<string> Binders)> ports, string port)
    {
        foreach ((string known, List<string> binders) in ports)
        {
            if (known == port)
            {
                return binders;
            }
        }

        var added = new List<string>();
        ports.Add((port, added));
        return added;
    }

    // Fair rotation: each message to a port starts one further along its sorted binders; online nodes with
    // room win over offline ones, which still get the message (it waits in their inbox) if no one else can.
    private string? Choose(LinkLedger ledger, string port, List<string> candidates, InboxRoom accepts, string? exclude, bool rotate)
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
            if (name == exclude || !accepts.For(node))
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

    private static List<string> Cleared(List<string> list)
    {
        list.Clear();
        return list;
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

