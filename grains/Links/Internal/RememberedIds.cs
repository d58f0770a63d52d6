namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Message ids a link keeps after their messages are done with (status confirmed by its sender, or handed to the
/// sender's link), so that a repeated SEND is still a duplicate and a repeated STATUS_ACK still known
/// (docs/protocol.md sections 5.10 and 5.14): each for <c>window</c> after its message's final state, and at most
/// <c>capacity</c> of them, the oldest dropped first. Ids of messages not yet done with are in the ledger's
/// acceptance index, unbounded by this.
/// </summary>
/// <remarks>
/// An entry with sequence 0 is a status of another link's message that a node of this link confirmed: it makes a
/// repeated STATUS_ACK known, but is no acceptance of this link's (a SEND with that id is a new message here).
/// </remarks>
internal sealed class RememberedIds(TimeSpan window, int capacity)
{
    private readonly Dictionary<(string Link, string Node, Guid Id), RememberedId> _ids = new(MessageKeyComparer.Instance);

    // Insertion order, for dropping the oldest; an entry whose id was remembered again later is stale and skipped.
    private readonly Queue<RememberedId> _order = new();
    private readonly long _windowUs = (long)window.TotalMicroseconds;

    public int Count => _ids.Count;

    /// <summary>The remembered ids in the order they were remembered, for a checkpoint.</summary>
    public IEnumerable<RememberedId> All
    {
        get
        {
            foreach (RememberedId id in _order)
            {
                if (IsCurrent(id))
                {
                    yield return id;
                }
            }
        }
    }

    public bool TryGet(string link, string node, Guid id, out RememberedId remembered) =>
        _ids.TryGetValue((link, node, id), out remembered);

    /// <summary>Remembers an id whose message became final at <see cref="RememberedId.FinalAtUs"/>.</summary>
    public void Add(RememberedId id)
    {
        if (capacity <= 0)
        {
            return;
        }

        _ids[(id.Link, id.Node, id.Id)] = id;
        _order.Enqueue(id);
        while (_ids.Count > capacity && _order.TryDequeue(out RememberedId oldest))
        {
            Forget(oldest);
        }

        if (_order.Count > 2 * Math.Max(_ids.Count, 1024))
        {
            // Mostly stale entries: rebuild the order from the current ones.
            RememberedId[] current = [.. All];
            _order.Clear();
            foreach (RememberedId entry in current)
            {
                _order.Enqueue(entry);
            }
        }
    }

    /// <summary>Forgets the ids whose window has passed at <paramref name="nowUs"/> (oldest remembered first).</summary>
    public void Prune(long nowUs)
    {
        while (_order.TryPeek(out RememberedId oldest) && (!IsCurrent(oldest) || oldest.FinalAtUs + _windowUs <= nowUs))
        {
            _order.Dequeue();
            Forget(oldest);
        }
    }

    private void Forget(RememberedId id)
    {
        // One lookup for the usual case; an id remembered again since is current, and goes back.
        if (_ids.Remove((id.Link, id.Node, id.Id), out RememberedId current) && current != id)
        {
            _ids.Add((id.Link, id.Node, id.Id), current);
        }
    }

    private bool IsCurrent(RememberedId id) => _ids.TryGetValue((id.Link, id.Node, id.Id), out RememberedId current) && current == id;
}

/// <summary>One remembered message id: who sent it, its sequence in this link (0: another link's), when it became final.</summary>
internal readonly record struct RememberedId(string Link, string Node, Guid Id, ulong Sequence, long FinalAtUs);
