namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Message ids a link keeps after their messages are done with (status confirmed by its sender, or handed to the
/// sender's link), so that a repeated SEND is still a duplicate and a repeated STATUS_ACK still known
/// (docs/protocol.md sections 5.10 and 5.14): each for <c>window</c> after its message's final state, and at most
/// <c>capacity</c> of them, the oldest dropped first. Ids of messages not yet done with are in the ledger's
/// acceptance index, unbounded by this.
/// </summary>
/// <remarks>
/// <para>
/// An entry with sequence 0 is a status of another link's message that a node of this link confirmed: it makes a
/// repeated STATUS_ACK known, but is no acceptance of this link's (a SEND with that id is a new message here).
/// </para>
/// <para>
/// Every message of a link passes through here (remembered, looked up by the next SENDs, dropped), so the layout is
/// chosen for few cache misses. The ids sit in a ring in the order they were remembered: adding appends at the tail and
/// dropping the oldest reads the head, both in sequence. An open-addressing index (linear probing, kept at most half
/// full) maps each id's hash to its ring slot, the hash stored beside the slot so that a probe reads the ring only on a
/// match. An id remembered again takes a new slot at the tail, and its old slot, stale now, is skipped when the head
/// reaches it.
/// </para>
/// </remarks>
internal sealed class RememberedIds(TimeSpan window, int capacity)
{
    private const int MinimumRing = 16;

    private readonly long _windowUs = (long)window.TotalMicroseconds;

    // Ring slots [_head, _tail) (counters, taken modulo the ring's length) in the order remembered, stale ones included.
    private RememberedId[] _ring = new RememberedId[MinimumRing];
    private long _head;
    private long _tail;

    // Twice the ring's length. 0: empty; else the id's hash in the high half and its ring slot + 1 in the low half.
    private ulong[] _index = new ulong[2 * MinimumRing];
    private int _count;

    public int Count => _count;

    /// <summary>The remembered ids in the order they were remembered, for a checkpoint.</summary>
    public IEnumerable<RememberedId> All
    {
        get
        {
            for (long position = _head; position < _tail; position++)
            {
                int slot = RingSlot(position);
                if (IndexOf(_ring[slot], slot) >= 0)
                {
                    yield return _ring[slot];
                }
            }
        }
    }

    public bool TryGet(string link, string node, Guid id, out RememberedId remembered)
    {
        int i = Probe(new RememberedId(link, node, id, 0, 0), Hash(id), out bool found);
        remembered = found ? _ring[(int)(uint)_index[i] - 1] : default;
        return found;
    }

    /// <summary>Remembers an id whose message became final at <see cref="RememberedId.FinalAtUs"/>.</summary>
    public void Add(RememberedId id)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (_tail - _head == _ring.Length)
        {
            Rebuild();
        }

        Append(id);
        while (_count > capacity)
        {
            DropOldest();
        }
    }

    /// <summary>Forgets the ids whose window has passed at <paramref name="nowUs"/> (oldest remembered first).</summary>
    public void Prune(long nowUs)
    {
        while (_head < _tail)
        {
            int slot = RingSlot(_head);
            if (IndexOf(_ring[slot], slot) >= 0 && _ring[slot].FinalAtUs + _windowUs > nowUs)
            {
                return;
            }

            DropOldest();
        }
    }

    private static bool SameKey(in RememberedId a, in RememberedId b) =>
        a.Id == b.Id && string.Equals(a.Node, b.Node, StringComparison.Ordinal) && string.Equals(a.Link, b.Link, StringComparison.Ordinal);

    private static uint Hash(Guid id) => (uint)MessageKeyComparer.Hash(id);

    private int RingSlot(long position) => (int)(position & (_ring.Length - 1));

    /// <summary>Drops the ring's head: from the index as well unless it is stale.</summary>
    private void DropOldest()
    {
        int slot = RingSlot(_head);
        int at = IndexOf(_ring[slot], slot);
        if (at >= 0)
        {
            RemoveFromIndex(at);
            _count--;
        }

        _ring[slot] = default;
        _head++;
    }

    /// <summary>The index slot holding <paramref name="id"/>'s sender and id; when there is none, the empty slot where it goes.</summary>
    private int Probe(in RememberedId id, uint hash, out bool found)
    {
        int mask = _index.Length - 1;
        int i = (int)hash & mask;
        for (; _index[i] != 0; i = (i + 1) & mask)
        {
            if ((uint)(_index[i] >> 32) == hash && SameKey(in _ring[(int)(uint)_index[i] - 1], in id))
            {
                found = true;
                return i;
            }
        }

        found = false;
        return i;
    }

    /// <summary>Where the index holds ring slot <paramref name="slot"/> (whose id is <paramref name="id"/>); -1 when stale.</summary>
    private int IndexOf(in RememberedId id, int slot)
    {
        uint hash = Hash(id.Id);
        int mask = _index.Length - 1;
        for (int i = (int)hash & mask; _index[i] != 0; i = (i + 1) & mask)
        {
            if ((uint)_index[i] == (uint)(slot + 1))
            {
                return i;
            }
        }

        return -1;
    }

    // Deletion without tombstones: each later entry of the probe run moves back into the gap unless its home slot
    // lies cyclically after the gap and at or before it, where a probe from its home still finds it.
    private void RemoveFromIndex(int gap)
    {
        int mask = _index.Length - 1;
        for (int j = (gap + 1) & mask; _index[j] != 0; j = (j + 1) & mask)
        {
            int home = (int)(_index[j] >> 32) & mask;
            bool reachable = gap <= j ? gap < home && home <= j : gap < home || home <= j;
            if (!reachable)
            {
                _index[gap] = _index[j];
                gap = j;
            }
        }

        _index[gap] = 0;
    }

    /// <summary>The ring is full: its current entries move, in order, to a ring at least twice their number, stale ones left out.</summary>
    private void Rebuild()
    {
        var current = new List<RememberedId>(_count);
        current.AddRange(All);
        int length = MinimumRing;
        while (length < 2 * current.Count)
        {
            length *= 2;
        }

        _ring = new RememberedId[length];
        _index = new ulong[2 * length];
        _head = 0;
        _tail = 0;
        _count = 0;
        foreach (RememberedId id in current)
        {
            Append(id);
        }
    }

    /// <summary>
    /// Puts <paramref name="id"/> at the ring's tail (which has room) and points the index at it; an id remembered
    /// again moves there, and its old slot is stale.
    /// </summary>
    private void Append(in RememberedId id)
    {
        int slot = RingSlot(_tail++);
        _ring[slot] = id;
        uint hash = Hash(id.Id);
        _index[Probe(id, hash, out bool found)] = ((ulong)hash << 32) | (uint)(slot + 1);
        if (!found)
        {
            _count++;
        }
    }
}

/// <summary>One remembered message id: who sent it, its sequence in this link (0: another link's), when it became final.</summary>
internal readonly record struct RememberedId(string Link, string Node, Guid Id, ulong Sequence, long FinalAtUs);
