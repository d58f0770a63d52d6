using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// The requests waiting for their replies, by correlation id (docs/protocol.md section 5.10.1). Outlives connections:
/// a reply may come on the connection after the one that carried its request. Fed by the read loop.
/// </summary>
internal sealed class PendingReplies
{
    private const string ReplyPortPrefix = ReplyPorts.Root + "/";

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<IncomingMessage>> _waiting = new();

    public TaskCompletionSource<IncomingMessage> Register(Guid correlationId)
    {
        var waiter = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(correlationId, waiter))
        {
            throw new InvalidOperationException($"A request with message id {correlationId} is already waiting for its reply.");
        }

        return waiter;
    }

    public void Forget(Guid correlationId, TaskCompletionSource<IncomingMessage> waiter) =>
        _waiting.TryRemove(new KeyValuePair<Guid, TaskCompletionSource<IncomingMessage>>(correlationId, waiter));

    /// <summary>
    /// Takes <paramref name="message"/> when it is a reply to this client's reply port: hands it to its request,
    /// acknowledged unless it is parted (its payload is the caller's to read), or — nobody waits for it any more —
    /// acknowledges and drops it with log event 5050. False for every other message: it goes to the application.
    /// </summary>
    public bool TryTake(IncomingMessage message, ILogger logger)
    {
        if (message.CorrelationId is not { } correlationId || !message.IsReply || !message.Port.StartsWith(ReplyPortPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (_waiting.TryRemove(correlationId, out TaskCompletionSource<IncomingMessage>? waiter))
        {
            if (!message.IsParted)
            {
                message.AcknowledgeReceipt();
            }

            waiter.TrySetResult(message);
            return true;
        }

        message.AcknowledgeReceipt();
        logger.LateReplyDropped(correlationId, message.MessageId, message.SourceLink, message.SourceNode);
        return true;
    }
}
