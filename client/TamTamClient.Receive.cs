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
    /// Up to <see cref="TamTamClientOptions.ReceiveBufferCapacity"/> messages wait here; beyond that the client
    /// reads nothing more until the application catches up (the server holds the rest). That pause holds up
    /// everything behind the deliveries on the connection, replies to this client's own requests included:
    /// a client that binds ports must keep consuming them. Several readers may
    /// enumerate at once; each message goes to one of them. The sequence ends normally when the client is
    /// disposed and with <see cref="TamTamConnectionException"/> when the connection fails.
    /// </remarks>
    public IAsyncEnumerable<IncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
        _inbox.Reader.ReadAllAsync(cancellationToken);
}
