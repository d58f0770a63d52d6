namespace TamTam.Client.Internal;

/// <summary>
/// Records the final status of every message this node sent, so that a receipt's completion or
/// <see cref="TamTamClient.WaitForStatusAsync"/> finds it whether it is asked for before or after the
/// STATUS arrives. Slots still waiting for their status are kept until it comes or the connection ends; of
/// the finished ones the most recent <see cref="FinishedCapacity"/> stay findable by id (a receipt keeps
/// its own slot regardless).
/// </summary>
internal sealed class StatusTracker
{
    /// <summary>How many finished statuses stay findable by message id.</summary>
    public const int FinishedCapacity = 65_536;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, StatusSlot> _slots = [];
    private readonly Queue<Guid> _finished = new();
    private TamTamConnectionException? _failure;

    /// <summary>The slot for <paramref name="messageId"/>, created when this is the first word of it.</summary>
    public StatusSlot Track(Guid messageId)
    {
        StatusSlot? slot;
        lock (_gate)
        {
            if (!_slots.TryGetValue(messageId, out slot))
            {
                slot = new StatusSlot(messageId);
                _slots.Add(messageId, slot);
                if (_failure is not null)
                {
                    slot.Fail(_failure.Again());
                }
            }
        }

        return slot;
    }

    /// <returns>False when the status was known already (a repeated STATUS).</returns>
    public bool Record(MessageStatus status)
    {
        StatusSlot? slot;
        lock (_gate)
        {
            if (!_slots.TryGetValue(status.MessageId, out slot))
            {
                slot = new StatusSlot(status.MessageId);
                _slots.Add(status.MessageId, slot);
            }
            else if (slot.IsFinal)
            {
                return false;
            }

            _finished.Enqueue(status.MessageId);
            while (_finished.Count > FinishedCapacity)
            {
                _slots.Remove(_finished.Dequeue());
            }
        }

        return slot.Complete(status);
    }

    public void FailAll(TamTamConnectionException failure)
    {
        List<StatusSlot> waiting = [];
        lock (_gate)
        {
            _failure ??= failure;
            foreach (StatusSlot slot in _slots.Values)
            {
                if (!slot.IsFinal)
                {
                    waiting.Add(slot);
                }
            }
        }

        foreach (StatusSlot slot in waiting)
        {
            slot.Fail(failure.Again());
        }
    }
}
