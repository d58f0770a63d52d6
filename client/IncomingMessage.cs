using TamTam.Client.Internal;

namespace TamTam.Client;

/// <summary>
/// A message delivered to this node. It stays in the node's server-side inbox until <see cref="AckAsync"/>
/// or <see cref="NackAsync"/>; unacknowledged messages are delivered again after a reconnect. The client
/// hands each message id to the application once (see <see cref="TamTamClient.ReceiveAsync"/>).
/// </summary>
public sealed partial class IncomingMessage
{
    private readonly DeliveryTracker _tracker;
    private int _settled;

    internal IncomingMessage(
        DeliveryTracker tracker,
        Guid messageId,
        ulong sequence,
        ulong portSequence,
        string sourceLink,
        string sourceNode,
        string link,
        string port,
        ushort attempt,
        DateTimeOffset? deadline,
        bool isRedelivery,
        ReadOnlyMemory<byte> payload)
    {
        _tracker = tracker;
        MessageId = messageId;
        Sequence = sequence;
        PortSequence = portSequence;
        SourceLink = sourceLink;
        SourceNode = sourceNode;
        Link = link;
        Port = port;
        Attempt = attempt;
        Deadline = deadline;
        IsRedelivery = isRedelivery;
        Payload = payload;
    }

    /// <summary>The sender's id for the message.</summary>
    public Guid MessageId { get; }

    /// <summary>
    /// The sender's W3C trace context (<c>traceparent</c>), when it sent the message inside an <see cref="System.Diagnostics.Activity"/>
    /// (the SDK passes <see cref="System.Diagnostics.Activity.Current"/> on every send); <see langword="null"/> otherwise. Parse it with
    /// <c>ActivityContext.TryParse</c> to make the processing's span a child of the sender's.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The message's place in the link's total order.</summary>
    public ulong Sequence { get; }

    /// <summary>Consecutive per destination port from 1: on a group or broadcast port a jump means a missed message.</summary>
    public ulong PortSequence { get; }

    /// <summary>The link the message comes from.</summary>
    public string SourceLink { get; }

    /// <summary>The node that sent the message.</summary>
    public string SourceNode { get; }

    /// <summary>The link the message was delivered in.</summary>
    public string Link { get; }

    /// <summary>The port the sender addressed (with a subtree binding, possibly below the bound port).</summary>
    public string Port { get; }

    /// <summary>1 on the first delivery, one more on each redelivery.</summary>
    public ushort Attempt { get; }

    /// <summary>When the message expires, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>True when the message was delivered before (to this node or another).</summary>
    public bool IsRedelivery { get; }

    /// <summary>The payload, copied out of the connection's buffers: it stays valid after acknowledgement.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// Confirms that the work on this message is done; the server removes it from the inbox. Only the first
    /// <see cref="AckAsync"/> or <see cref="NackAsync"/> of a message takes effect.
    /// </summary>
    /// <exception cref="TamTamConnectionException">The connection has ended; the message will be delivered again.</exception>
    public ValueTask AckAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Settle();
        return ValueTask.CompletedTask;
    }

    private void Settle()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _tracker.Ack(MessageId, Sequence);
            ReleaseTransfer();
        }
    }

    /// <summary>
    /// Refuses the message. Without <paramref name="requeue"/> the message is rejected (a unicast message ends
    /// REJECTED); with it the receiver cannot take it now and it follows the server's retry schedule.
    /// Only the first <see cref="AckAsync"/> or <see cref="NackAsync"/> of a message takes effect.
    /// </summary>
    /// <param name="reason">An application-defined reason code; 0 means unspecified.</param>
    /// <param name="detail">Human-readable detail for the sender's status, at most 65,535 UTF-8 bytes.</param>
    /// <param name="requeue">Ask for a later redelivery instead of rejecting.</param>
    /// <param name="cancellationToken">Checked before anything is sent.</param>
    /// <exception cref="TamTamConnectionException">The connection has ended; the message will be delivered again.</exception>
    public ValueTask NackAsync(ushort reason = 0, string? detail = null, bool requeue = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _tracker.Nack(MessageId, Sequence, reason, detail, requeue);
            ReleaseTransfer();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The message never reached the application (its connection ended first): its redelivery will.</summary>
    internal void Abandon() => _tracker.Abandon(MessageId);

    /// <inheritdoc />
    public override string ToString() => $"{MessageId} #{Sequence} {SourceLink}:{SourceNode} → {Link}:{Port} attempt {Attempt}";
}
