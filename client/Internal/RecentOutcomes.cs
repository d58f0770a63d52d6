namespace TamTam.Client.Internal;

/// <summary>
/// The outcome of the last <c>capacity</c> settled deliveries, by message id; adding beyond the capacity
/// forgets the oldest. Grows with use, so a client that receives little holds little. Not thread-safe;
/// the owner locks.
/// </summary>
internal sealed class RecentOutcomes
{
    private readonly int _capacity;
    private readonly Queue<Guid> _order = new();
    private readonly Dictionary<Guid, bool> _rejected = [];

    public RecentOutcomes(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _rejected.Count;

    /// <summary>Remembers that <paramref name="messageId"/> was acknowledged or, with <paramref name="rejected"/>, rejected.</summary>
    public void Add(Guid messageId, bool rejected)
    {
        if (_rejected.TryAdd(messageId, rejected))
        {
            _order.Enqueue(messageId);
            if (_order.Count > _capacity)
            {
                _rejected.Remove(_order.Dequeue());
            }
        }
        else
        {
            _rejected[messageId] = rejected;
        }
    }

    /// <summary>True when <paramref name="messageId"/> was settled recently; <paramref name="rejected"/> says how.</summary>
    public bool TryGet(Guid messageId, out bool rejected) => _rejected.TryGetValue(messageId, out rejected);
}
