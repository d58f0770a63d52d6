using TamTam.Client.Internal;

namespace TamTam.Client;

/// <summary>
/// The server's promise for one message: it is durable and has its place in the destination link's order.
/// Every accepted message later ends in exactly one final state, available through <see cref="Completion"/>.
/// </summary>
public sealed class SendReceipt
{
    private readonly StatusSlot _status;

    internal SendReceipt(Guid messageId, ulong sequence, DateTimeOffset acceptedAt, bool duplicate, StatusSlot status)
    {
        MessageId = messageId;
        Sequence = sequence;
        AcceptedAt = acceptedAt;
        Duplicate = duplicate;
        _status = status;
    }

    /// <summary>The message's id.</summary>
    public Guid MessageId { get; }

    /// <summary>The message's place in its destination link's total order (from 1).</summary>
    public ulong Sequence { get; }

    /// <summary>When the server accepted the message (server clock).</summary>
    public DateTimeOffset AcceptedAt { get; }

    /// <summary>
    /// True when this id had been accepted before: <see cref="Sequence"/> is the original one and nothing
    /// new was stored.
    /// </summary>
    public bool Duplicate { get; }

    /// <summary>
    /// Completes with the message's final status once the server reports it; faults with
    /// <see cref="TamTamConnectionException"/> if the client ends first (a lost connection that is resumed does
    /// not end it: the server keeps the status for the node). Reading it costs nothing
    /// when nobody awaits it: the client confirms every status to the server either way.
    /// </summary>
    public Task<MessageStatus> Completion => _status.WaitAsync(CancellationToken.None);

    /// <summary>Waits for the final status like <see cref="Completion"/>, until <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the status is still kept.</exception>
    public Task<MessageStatus> WaitForCompletionAsync(CancellationToken cancellationToken = default) => _status.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{MessageId} sequence {Sequence}{(Duplicate ? " (duplicate)" : string.Empty)}";
}
