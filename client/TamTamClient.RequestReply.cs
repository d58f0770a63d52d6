using TamTam.Client.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

// Request/reply (docs/protocol.md section 5.10.1): a request is a SEND naming this node's reply port, its reply a SEND
// back to it naming the request; both durable and acknowledged like any message.
public sealed partial class TamTamClient
{
    private string? _replyPortNode;

    /// <summary>
    /// Sends a request to <paramref name="port"/> and waits for its reply. The reply comes to this node's reply port,
    /// <c>_reply/&lt;node&gt;</c>, which the client binds (unicast) before its first request; replies never appear in
    /// <see cref="ReceiveAsync"/>. Concurrent requests are matched to their replies by correlation id (the request's
    /// message id).
    /// </summary>
    /// <param name="port">The port of the service that answers, e.g. <c>quotes/eu</c>.</param>
    /// <param name="payload">The request's body; at most <see cref="MaxBody"/> less its fields.</param>
    /// <param name="timeout">
    /// How long to wait for the reply. The request's TTL is this timeout too (unless <paramref name="options"/> sets
    /// one), so a request nobody takes in time expires instead of being served after its requester stopped waiting.
    /// </param>
    /// <param name="options">Destination link, TTL, message id, subtree choice.</param>
    /// <param name="cancellationToken">Stops waiting; the request, once sent, stays sent.</param>
    /// <returns>
    /// The reply: payload, its sender (<see cref="IncomingMessage.SourceNode"/>) and <see cref="IncomingMessage.CorrelationId"/>.
    /// It is acknowledged already, unless it came as parts (<see cref="IncomingMessage.IsParted"/>): then read it with
    /// <see cref="IncomingMessage.ReceivePayloadAsync"/> and acknowledge it.
    /// </returns>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/>. A reply that comes later is acknowledged and dropped, with log event 5050.</exception>
    /// <exception cref="TamTamRequestException">The request ended EXPIRED, REJECTED, NO_ROUTE or UNDELIVERABLE before a reply came.</exception>
    /// <exception cref="TamTamException">The SEND (or the BIND of the reply port) was refused: 300 NO_ROUTE, 203 FORBIDDEN, …</exception>
    /// <exception cref="InvalidOperationException">The client has not joined a link.</exception>
    public async Task<IncomingMessage> RequestAsync(
        string port, ReadOnlyMemory<byte> payload, TimeSpan timeout, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        if (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A request timeout is positive and at most 4,294,967,295 ms.");
        }

        string node = Node ?? throw new InvalidOperationException("Join a link before making requests: replies come to the node's reply port.");
        Guid messageId = options?.MessageId ?? _messageIds.Next();
        using var timer = new CancellationTokenSource(timeout, _clock);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        TaskCompletionSource<IncomingMessage> reply = _replies.Register(messageId);
        try
        {
            await EnsureReplyPortAsync(node, waiting.Token).ConfigureAwait(false);
            SendOptions request = (options ?? new SendOptions()) with { MessageId = messageId, Ttl = options?.Ttl ?? timeout };
            var fields = new ReplyInfo(messageId, Utf8Text.Empty, _names.Encode(ReplyPorts.For(node)));
            SendReceipt receipt = await SendCoreAsync(port, payload, request, fields, waiting.Token).ConfigureAwait(false);

            // The request's STATUS may come before the reply (its receiver ACKs, then answers): DELIVERED changes
            // nothing, any other state means no reply will come.
            Task<MessageStatus> status = receipt.WaitForCompletionAsync(waiting.Token);
            Task first = await Task.WhenAny(reply.Task, status).ConfigureAwait(false);
            if (first == status && status.IsCompletedSuccessfully && status.Result.State != FinalState.Delivered && !reply.Task.IsCompleted)
            {
                throw new TamTamRequestException(status.Result);
            }

            return await reply.Task.WaitAsync(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.RequestGotNoReply(messageId, port, timeout);
            throw new TimeoutException($"no reply to request {messageId} on {port} within {timeout}");
        }
        finally
        {
            _replies.Forget(messageId, reply);
        }
    }

    /// <summary>
    /// Answers <paramref name="request"/> (an <see cref="IncomingMessage.IsRequest"/> message): sends
    /// <paramref name="payload"/> to its reply address with its correlation id. The reply's TTL is what remains until
    /// the request's deadline (unless <paramref name="options"/> sets one): a requester that has stopped waiting does
    /// not keep it for ever. Acknowledge the request after replying; if this node fails in between, the request comes
    /// again and a second reply goes out, which the requester drops as late.
    /// </summary>
    /// <param name="request">The request, as <see cref="ReceiveAsync"/> gave it.</param>
    /// <param name="payload">The reply's body.</param>
    /// <param name="options">TTL and message id; the destination is the request's and cannot be changed.</param>
    /// <param name="cancellationToken">Stops waiting for ACCEPTED.</param>
    /// <returns>The reply's receipt; its final status says whether the requester's node acknowledged it.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="request"/> was not sent as a request.</exception>
    /// <exception cref="TamTamException">Refused: 300 NO_ROUTE (the requester left its link), 203 FORBIDDEN, …</exception>
    public ValueTask<SendReceipt> ReplyAsync(
        IncomingMessage request, ReadOnlyMemory<byte> payload, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ReplyPort is not { } port || request.CorrelationId is not { } correlationId)
        {
            throw new InvalidOperationException($"message {request.MessageId} was not sent as a request: it names no reply port");
        }

        SendOptions reply = (options ?? new SendOptions()) with
        {
            Link = request.ReplyLink,
            Subtree = false,
            Ttl = options?.Ttl ?? Remaining(request.Deadline),
        };
        return SendCoreAsync(port, payload, reply, ReplyInfo.To(correlationId), cancellationToken);
    }

    private async ValueTask EnsureReplyPortAsync(string node, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _replyPortNode) == node)
        {
            return;
        }

        // Idempotent on the server: concurrent first requests may each bind, and a repeated BIND changes nothing.
        string port = ReplyPorts.For(node);
        await BindAsync(port, PortMode.Unicast, subtree: false, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _replyPortNode, node);
        _logger.ReplyPortBound(port, node);
    }

    // At least a millisecond: a TTL of 0 would mean the server's default lifetime, not "already late".
    private TimeSpan? Remaining(DateTimeOffset? deadline) =>
        deadline is { } at ? TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling((at - _clock.GetUtcNow()).TotalMilliseconds))) : null;
}
