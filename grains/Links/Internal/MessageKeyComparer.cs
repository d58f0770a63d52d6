using System.Runtime.InteropServices;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Equality for the ledger's keys of a message by its sender: (link, node, message id) and (node, message id). Every
/// message costs several lookups in these tables, so the hash is the message id's alone, mixed with this process's
/// random seed (<see cref="HashCode"/>), and no name is hashed: a client chooses its ids, not where they land.
/// </summary>
/// <remarks>
/// The ids of one sender are distinct (a repeated one is a duplicate), so only different senders reusing one id share a
/// hash: a chain as long as the senders that did, each entry still told apart by its names.
/// </remarks>
internal sealed class MessageKeyComparer : IEqualityComparer<(string Link, string Node, Guid Id)>, IEqualityComparer<(string Node, Guid Id)>
{
    public static readonly MessageKeyComparer Instance = new();

    private MessageKeyComparer()
    {
    }

    public bool Equals((string Link, string Node, Guid Id) x, (string Link, string Node, Guid Id) y) =>
        x.Id == y.Id && string.Equals(x.Node, y.Node, StringComparison.Ordinal) && string.Equals(x.Link, y.Link, StringComparison.Ordinal);

    public int GetHashCode((string Link, string Node, Guid Id) key) => Hash(key.Id);

    public bool Equals((string Node, Guid Id) x, (string Node, Guid Id) y) =>
        x.Id == y.Id && string.Equals(x.Node, y.Node, StringComparison.Ordinal);

    public int GetHashCode((string Node, Guid Id) key) => Hash(key.Id);

    /// <summary>The hash of a message id, seeded per process: the one the tables keyed by sender and id use.</summary>
    internal static int Hash(Guid id)
    {
        ReadOnlySpan<long> halves = MemoryMarshal.Cast<Guid, long>(new ReadOnlySpan<Guid>(in id));
        return HashCode.Combine(halves[0], halves[1]);
    }
}
