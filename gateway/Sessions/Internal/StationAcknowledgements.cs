using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A station session's ACK and NACK frames, batched as a node's are (docs/protocol.md section 5.18, "Delivering to a
/// station"): one link call in flight per link the station serves, and everything read meanwhile goes in that link's next
/// call, in the order read. The read loop does not wait for the calls, so a station acknowledging a window of deliveries
/// costs the link a few group commits rather than one durable write and one read-loop stall per message.
/// </summary>
/// <remarks>
/// <see cref="Queue"/> and <see cref="StartCalls"/> run on the session's read loop; <see cref="DrainAsync"/> when it ended.
/// A delivery leaves <c>deliveries</c> when its answer is queued (a second answer to it is 304 at once) and comes back when
/// the link could not take the answer: the station answers its redelivery, or answers again.
/// </remarks>
internal sealed class StationAcknowledgements(GatewaySession session, IGrainFactory grains, ILogger logger, string station,
    ConcurrentDictionary<Guid, string> deliveries)
{
    private readonly ConcurrentDictionary<string, CoalescingCallQueue<(uint Correlation, AckCommand Command)>> _links = new(StringComparer.Ordinal);

    /// <summary>Queues an ACK or NACK for its link's next call; 304 when no delivery of that message is pending here.</summary>
    public ErrorCode Queue(uint correlation, AckCommand command)
    {
        if (!deliveries.TryRemove(command.MessageId, out string? link))
        {
            return ErrorCode.UnknownDelivery;
        }

        _links.GetOrAdd(link, l => new(batch => AcknowledgeAsync(l, batch), (batch, exception) => CallFailed(l, batch, exception)))
            .Add((correlation, command));
        return ErrorCode.None;
    }

    /// <summary>Starts a call per link for what the read queued, unless that link's call is in flight (it takes the rest when it ends).</summary>
    public void StartCalls()
    {
        foreach (CoalescingCallQueue<(uint, AckCommand)> queue in _links.Values)
        {
            queue.Start();
        }
    }

    /// <summary>Completes once every answer queued so far has been through its link call: before the station leaves.</summary>
    public Task DrainAsync() => Task.WhenAll(_links.Values.Select(queue => queue.DrainAsync()));

    private async Task AcknowledgeAsync(string link, (uint Correlation, AckCommand Command)[] batch)
    {
        var commands = new AckCommand[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            commands[i] = batch[i].Command;
        }

        ErrorCode[] results;
        try
        {
            results = await grains.GetGrain<ILinkGrain>(link).AcknowledgeAsync(RoamingRecipient.Node, session.AttachmentId, commands).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            logger.StationCallFailed(exception, session.ConnectionId, station, link);
            results = new ErrorCode[batch.Length];
            Array.Fill(results, ErrorCode.Unavailable);
        }

        bool refused = false;
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i] == ErrorCode.None)
            {
                continue;
            }

            if (results[i] != ErrorCode.UnknownDelivery)
            {
                deliveries.TryAdd(commands[i].MessageId, link); // not settled: the station answers again, or its redelivery
            }

            refused = true;
            await session.Output.WriteErrorAsync(results[i], Refusal(results[i], commands[i]), fatal: false, batch[i].Correlation, session.Closing)
                .ConfigureAwait(false);
        }

        if (refused)
        {
            await session.Output.FlushAsync(session.Closing).ConfigureAwait(false);
        }
    }

    private void CallFailed(string link, (uint Correlation, AckCommand Command)[] batch, Exception exception)
    {
        if (exception is OperationCanceledException && session.Closing.IsCancellationRequested)
        {
            return; // the session is closing: the station leaves, and what it held comes again
        }

        foreach ((uint _, AckCommand command) in batch)
        {
            deliveries.TryAdd(command.MessageId, link);
        }

        // As when the read loop made these calls itself: the session ends, the station leaves, and what it held comes again.
        logger.StationCallFailed(exception, session.ConnectionId, station, link);
        session.RequestClose(new CloseRequest(ErrorCode.Unavailable, $"link \"{link}\" did not answer; register again", 0));
    }

    private static string Refusal(ErrorCode code, AckCommand command) => code switch
    {
        ErrorCode.UnknownDelivery => $"no delivery of message {command.MessageId} is pending for this station",
        ErrorCode.Unavailable => "the link could not take the answer; answer again",
        _ => $"the link could not take the answer ({(ushort)code})",
    };
}
