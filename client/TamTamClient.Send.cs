using System.Buffers;
using System.Runtime.CompilerServices;
using TamTam.Client.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// Sends a message (SEND) and returns once the server has made it durable (ACCEPTED). Any number of sends
    /// may run concurrently: they are pipelined on the connection, up to the server's
    /// <see cref="MaxInflight"/>, beyond which a send waits for a slot.
    /// </summary>
    /// <param name="port">The destination port, e.g. <c>orders/eu/new</c>.</param>
    /// <param name="payload">The message body. It is copied into the connection's write buffer, at the latest before the returned task completes; do not change it until then.</param>
    /// <param name="options">Destination link, TTL, message id and subtree choice; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">
    /// Stops waiting. A SEND already written may still be accepted: send again with the same
    /// <see cref="SendOptions.MessageId"/> to find out (the server answers with <see cref="SendReceipt.Duplicate"/>).
    /// </param>
    /// <returns>The receipt: id, sequence, and <see cref="SendReceipt.Completion"/> for the final status.</returns>
    /// <exception cref="TamTamException">
    /// Refused: 300 NO_ROUTE, 302 QUOTA_EXCEEDED, 303 MESSAGE_TOO_LARGE (also raised locally when the frame
    /// would exceed <see cref="MaxBody"/>), 206 NOT_JOINED, 203 FORBIDDEN, 113 INVALID_NAME.
    /// </exception>
    /// <exception cref="TamTamConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="TamTamClientOptions.RequestTimeout"/>.</exception>
    public ValueTask<SendReceipt> SendAsync(string port, ReadOnlyMemory<byte> payload, SendOptions? options = null, CancellationToken cancellationToken = default) =>
        SendCoreAsync(port, payload, options, reply: null, cancellationToken);

    /// <summary>A SEND, with the REPLY fields of a request or a reply when <paramref name="reply"/> is set.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SendReceipt> SendCoreAsync(
        string port, ReadOnlyMemory<byte> payload, SendOptions? options, ReplyInfo? reply, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();

        // The id is fixed here, once: a send that is repeated on a new connection after a loss is the same
        // message, and the server accepts it once (a repeat is answered DUPLICATE with the original sequence).
        Guid messageId = options?.MessageId ?? _messageIds.Next();
        var frame = new SendFrame(messageId, _names.Encode(options?.Link), _names.Encode(port), ToTtlMilliseconds(options?.Ttl),
            options?.Subtree ?? false, Station: null, Transfer: null, new ReadOnlySequence<byte>(payload), TracePropagation.Current())
        {
            Reply = reply,
        };
        QuotaPause? full = null; // made at the first refusal for a full inbox: most sends never meet one
        while (true)
        {
            ClientConnection connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Written out here rather than in a method of its own: one state machine per send, not two.
                ThrowIfTooLarge(connection, frame, payload.Length);
                await connection.Requests.AcquireSendPermitAsync(cancellationToken).ConfigureAwait(false);
                ReplyWaiter waiter = connection.Requests.Register(FrameType.Send, FrameType.Accepted, holdsSendPermit: true, cancellationToken);
                try
                {
                    await connection.Writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    connection.Requests.Abandon(waiter);
                    throw;
                }

                WriteRequest(connection, frame, waiter);
                Reply accepted = await waiter.Task.ConfigureAwait(false);
                StatusSlot status = _statuses.Track(messageId);
                return new SendReceipt(messageId, accepted.Sequence, Timestamps.FromMicroseconds(accepted.Timestamp), accepted.Flag, status);
            }
            catch (TamTamConnectionException) when (MayRetryAfter(connection))
            {
                // The connection was lost with the SEND unanswered: send it again on the next one.
                await Task.Yield();
            }
            catch (TamTamException refused) when (refused.Code == ErrorCode.QuotaExceeded && (full ??= new QuotaPause(_options.QuotaWait, _clock)).MayWait)
            {
                // The destination's inbox is full: pause this producer, then offer the same message again.
                _logger.SendPausedByQuota(messageId, full.Next);
                await full.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void ThrowIfTooLarge(ClientConnection connection, in SendFrame frame, int payloadLength)
    {
        long body = frame.FieldsLength + (long)payloadLength;
        if (body > connection.Terms.MaxBody)
        {
            throw new TamTamException(ErrorCode.MessageTooLarge,
                $"a SEND of {payloadLength} payload bytes needs a {body}-byte body; the server accepts at most {connection.Terms.MaxBody}; send larger payloads with SendStreamAsync, as parts");
        }
    }

    /// <summary>Sends a message and waits for its final status: <see cref="SendAsync"/> then <see cref="SendReceipt.Completion"/>.</summary>
    /// <param name="port">The destination port.</param>
    /// <param name="payload">The message body.</param>
    /// <param name="options">Destination link, TTL, message id and subtree choice.</param>
    /// <param name="cancellationToken">Stops waiting, for the acceptance or for the status.</param>
    /// <returns>The final status; check <see cref="MessageStatus.State"/>: anything but DELIVERED is not an exception.</returns>
    public async ValueTask<MessageStatus> SendAndWaitAsync(string port, ReadOnlyMemory<byte> payload, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        SendReceipt receipt = await SendAsync(port, payload, options, cancellationToken).ConfigureAwait(false);
        return await WaitForStatusAsync(receipt.MessageId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the final status of a message this node sent. Works before or after the STATUS arrives: the
    /// client keeps every status until it is asked for, and the most recent 65,536 finished ones after that
    /// (a <see cref="SendReceipt"/> keeps its own regardless). There is no timeout: a message's final state
    /// may be as far away as its TTL.
    /// </summary>
    /// <exception cref="TamTamConnectionException">The connection ended before the status arrived.</exception>
    public async ValueTask<MessageStatus> WaitForStatusAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        StatusSlot slot = _statuses.Track(messageId);
        return await slot.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every final status as it arrives, whoever awaits it, for auditing or for senders that do not keep
    /// receipts. Already confirmed to the server when it appears here. A bounded feed: a reader that falls
    /// more than <see cref="TamTamClientOptions.StatusBufferCapacity"/> behind loses the oldest entries of
    /// the feed (never of <see cref="WaitForStatusAsync"/>). Several readers share one feed. Ends with
    /// <see cref="TamTamConnectionException"/> when the connection fails, and normally on dispose.
    /// </summary>
    public IAsyncEnumerable<MessageStatus> StatusesAsync(CancellationToken cancellationToken = default) =>
        _statusFeed.Reader.ReadAllAsync(cancellationToken);

    private static uint ToTtlMilliseconds(TimeSpan? ttl)
    {
        if (ttl is not { } value)
        {
            return 0;
        }

        if (value <= TimeSpan.Zero || value.TotalMilliseconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), value, "A TTL is positive and at most 4,294,967,295 ms; null means none.");
        }

        // Rounded up: a TTL below a millisecond must not become 0, which means "no deadline".
        return (uint)Math.Ceiling(value.TotalMilliseconds);
    }
}
