using System.Collections;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// A node's unsettled deliveries in link order, keyed by sequence. A link accepts in sequence order, so a recipient is
/// almost always appended, and settled about in the order it was delivered: the entries live in one array, a settled
/// one leaves a gap that enumeration skips, and the gaps are squeezed out once they are half of it. Nothing is
/// allocated per entry, and what the collector has to trace is one array, not a tree of nodes.
/// </summary>
internal sealed class SequenceInbox : IReadOnlyCollection<Recipient>
{
    private Entry[] _entries = [];
    private int _head;
    private int _tail;
    private int _count;

    public int Count => _count;

    /// <summary>Adds the recipient of <paramref name="sequence"/>, or replaces the one there.</summary>
    public void Set(ulong sequence, Recipient recipient)
    {
        if (_count == 0)
        {
            _head = _tail = 0;
        }

        if (_tail == _head || _entries[_tail - 1].Sequence < sequence)
        {
            EnsureRoomAtTail();
            _entries[_tail++] = new Entry(sequence, recipient);
            _count++;
            return;
        }

        int at = Find(sequence);
        if (at >= 0)
        {
            _count += _entries[at].Recipient is null ? 1 : 0;
            _entries[at].Recipient = recipient;
            return;
        }

        // Out of order (a recipient reassigned from another node): shift the later entries up by one. Making room may
        // squeeze the array, so the place is found again.
        EnsureRoomAtTail();
        at = ~Find(sequence);
        Array.Copy(_entries, at, _entries, at + 1, _tail - at);
        _entries[at] = new Entry(sequence, recipient);
        _tail++;
        _count++;
    }

    /// <returns>False when no recipient of <paramref name="sequence"/> is here.</returns>
    public bool Remove(ulong sequence)
    {
        int at = _count == 0 ? -1 : Find(sequence);
        if (at < 0 || _entries[at].Recipient is null)
        {
            return false;
        }

        _entries[at].Recipient = null;
        _count--;
        while (_head < _tail && _entries[_head].Recipient is null)
        {
            _head++;
        }

        while (_tail > _head && _entries[_tail - 1].Recipient is null)
        {
            _tail--;
        }

        if (_tail - _head > 64 && _count < (_tail - _head) / 2)
        {
            Squeeze();
        }

        return true;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<Recipient> IEnumerable<Recipient>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Find(ulong sequence)
    {
        int low = _head;
        int high = _tail - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            ulong at = _entries[middle].Sequence;
            if (at == sequence)
            {
                return middle;
            }

            if (at < sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    private void EnsureRoomAtTail()
    {
        if (_tail < _entries.Length)
        {
            return;
        }

        if (_head > 0 && _count <= _entries.Length / 2)
        {
            Squeeze();
            return;
        }

        Array.Resize(ref _entries, Math.Max(16, _entries.Length * 2));
    }

    // Moves the live entries to the front of the array, in order.
    private void Squeeze()
    {
        int to = 0;
        for (int from = _head; from < _tail; from++)
        {
            if (_entries[from].Recipient is not null)
            {
                _entries[to++] = _entries[from];
            }
        }

        Array.Clear(_entries, to, _tail - to);
        _head = 0;
        _tail = to;
        if (_entries.Length > 1024 && to < _entries.Length / 4)
        {
            Array.Resize(ref _entries, Math.Max(1024, _entries.Length / 2));
        }
    }

    private record struct Entry(ulong Sequence, Recipient? Recipient);

    /// <summary>The recipients in sequence order. The inbox must not change while one is enumerated.</summary>
    public struct Enumerator : IEnumerator<Recipient>
    {
        private readonly SequenceInbox _inbox;
        private int _next;

        internal Enumerator(SequenceInbox inbox)
        {
            _inbox = inbox;
            _next = inbox._head;
            Current = null!;
        }

        public Recipient Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            while (_next < _inbox._tail)
            {
                Recipient? recipient = _inbox._entries[_next++].Recipient;
                if (recipient is not null)
                {
                    Current = recipient;
                    return true;
                }
            }

            return false;
        }

        public void Reset() => _next = _inbox._head;

        public readonly void Dispose()
        {
        }
    }
}
