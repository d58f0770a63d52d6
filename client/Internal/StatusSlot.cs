namespace TamTam.Client.Internal;

/// <summary>
/// Where one message's final status lands. A <see cref="SendReceipt"/> holds its slot, so the receipt's
/// completion works however long ago the status arrived; the tracker only indexes slots by id.
/// Lock-free: one slot exists per sent message, so it stays two references and an id.
/// </summary>
internal sealed class StatusSlot
{
    // Null while waiting; then the MessageStatus, or the Exception that ended the wait. Set once.
    private object? _outcome;
    private TaskCompletionSource<MessageStatus>? _waiter;

    public StatusSlot(Guid messageId) => MessageId = messageId;

    public Guid MessageId { get; }

    public bool IsFinal => Volatile.Read(ref _outcome) is MessageStatus;

    public Task<MessageStatus> WaitAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _outcome) is { } known)
        {
            return FromOutcome(known);
        }

        TaskCompletionSource<MessageStatus>? waiter = Volatile.Read(ref _waiter);
        if (waiter is null)
        {
            var created = new TaskCompletionSource<MessageStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _waiter, created, null) ?? created;
        }

        // The outcome may have landed while the waiter was being published, after its setter looked for one.
        if (Volatile.Read(ref _outcome) is { } landed)
        {
            Settle(waiter, landed);
        }

        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <returns>False when the slot already had its outcome (the server repeated a STATUS).</returns>
    public bool Complete(MessageStatus status) => TrySetOutcome(status);

    /// <summary>The connection ended before the status arrived: waiting for it would never end.</summary>
    public void Fail(Exception failure) => TrySetOutcome(failure);

    private static Task<MessageStatus> FromOutcome(object outcome) =>
        outcome is MessageStatus status ? Task.FromResult(status) : Task.FromException<MessageStatus>((Exception)outcome);

    private static void Settle(TaskCompletionSource<MessageStatus> waiter, object outcome)
    {
        if (outcome is MessageStatus status)
        {
            waiter.TrySetResult(status);
        }
        else
        {
            waiter.TrySetException((Exception)outcome);
        }
    }

    private bool TrySetOutcome(object outcome)
    {
        if (Interlocked.CompareExchange(ref _outcome, outcome, null) is not null)
        {
            return false;
        }

        if (Volatile.Read(ref _waiter) is { } waiter)
        {
            Settle(waiter, outcome);
        }

        return true;
    }
}
