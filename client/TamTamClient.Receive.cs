namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// The messages delivered to this node, in arrival order, each once: the client drops a redelivery of a
    /// message the application holds unsettled, and answers a redelivery of one settled recently (the last
    /// 65,536 ids) with the same ACK or NACK without surfacing it. Settle each message with
    /// <see cref="IncomingMessage.AckAsync"/> or <see cref="IncomingMessage.NackAsync"/> when done with it.
    /// </summary>
    /// <remarks>
    /// The client reads its connection whatever the application does, so a JOIN or BIND answers even while
    /// a backlog arrives unread. What waits here is bounded by the server's delivery window (512 unacknowledged
    /// messages per node by default): settle messages to receive more. Several readers may
    /// enumerate at once; each message goes to one of them. The sequence ends normally when the client is
    /// disposed and with <see cref="TamTamConnectionException"/> when the connection fails.
    /// </remarks>
    public IAsyncEnumerable<IncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
        _inbox.Reader.ReadAllAsync(cancellationToken);
}
