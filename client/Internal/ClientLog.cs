using Microsoft.Extensions.Logging;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>The client's log events (5000–5099, docs/architecture.md "Log event ids"). Event ids are stable: dashboards and alerts may key on them.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Connected to {Uri}: session {SessionId}, server \"{Server}\", max body {MaxBody}, max in flight {MaxInflight}")]
    public static partial void Connected(this ILogger logger, Uri uri, Guid sessionId, string server, int maxBody, uint maxInflight);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Connection to {Uri} ended: {Reason}")]
    public static partial void ConnectionLost(this ILogger logger, Uri uri, string reason, Exception? exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Connection to {Uri} closed by the application")]
    public static partial void ConnectionClosed(this ILogger logger, Uri uri);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "Server reported error {Code} (correlation {Correlation}) that matches no pending request: {Detail}")]
    public static partial void UnmatchedServerError(this ILogger logger, ErrorCode code, uint correlation, string detail);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning,
        Message = "Rejected a {FrameType} frame from the server (correlation {Correlation}) with error {Code}: {Detail}")]
    public static partial void FrameRejected(this ILogger logger, string frameType, uint correlation, ErrorCode code, string detail);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug,
        Message = "Dropped redelivery of {MessageId} (attempt {Attempt}): the application holds it and has not settled it yet")]
    public static partial void DuplicateDeliveryDropped(this ILogger logger, Guid messageId, ushort attempt);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug,
        Message = "Answered redelivery of already settled {MessageId} (attempt {Attempt}) again without surfacing it")]
    public static partial void SettledDeliveryRepeated(this ILogger logger, Guid messageId, ushort attempt);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug,
        Message = "Reply {FrameType} (correlation {Correlation}) arrived for no pending request; it was cancelled or timed out")]
    public static partial void LateReply(this ILogger logger, string frameType, uint correlation);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Debug,
        Message = "{Count} received messages wait for the application (ReceiveBufferCapacity); reading goes on, the server's delivery window bounds them")]
    public static partial void ApplicationBehind(this ILogger logger, int count);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug, Message = "Status of {MessageId}: {State} ({Confirmed}/{Recipients})")]
    public static partial void StatusReceived(this ILogger logger, Guid messageId, FinalState state, uint confirmed, uint recipients);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "{FrameType} (correlation {Correlation}) got no reply within {Timeout}")]
    public static partial void RequestTimedOut(this ILogger logger, string frameType, uint correlation, TimeSpan timeout);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Debug, Message = "Could not tell the server about fatal error {Code} before closing: {Reason}")]
    public static partial void FatalNotDelivered(this ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Reconnecting to {Uri}: attempt {Attempt} of {MaxAttempts} in {Delay}")]
    public static partial void Reconnecting(this ILogger logger, Uri uri, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Information,
        Message = "Reconnected to {Uri} after {Attempts} attempts: session {SessionId} {Outcome}")]
    public static partial void Reconnected(this ILogger logger, Uri uri, int attempts, Guid sessionId, string outcome);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "Reconnection attempt {Attempt} to {Uri} failed: {Reason}")]
    public static partial void ReconnectAttemptFailed(this ILogger logger, Uri uri, int attempt, string reason);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Error, Message = "Gave up reconnecting to {Uri} after {Attempts} attempts: {Reason}")]
    public static partial void GaveUpReconnecting(this ILogger logger, string uri, int attempts, string reason);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Error, Message = "A {Event} event handler threw")]
    public static partial void EventHandlerFailed(this ILogger logger, string @event, Exception exception);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Debug,
        Message = "Message {MessageId}: the destination's inbox is full (302); sending it again in {Pause}")]
    public static partial void SendPausedByQuota(this ILogger logger, Guid messageId, TimeSpan pause);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning,
        Message = "The server refused the {Answer} of message {MessageId} with error {Code}: {Detail}; its redelivery is answered again")]
    public static partial void AnswerRefused(this ILogger logger, string answer, Guid messageId, ErrorCode code, string detail);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Debug,
        Message = "The server answered the STATUS_ACK of message {MessageId} with error {Code}: {Detail}")]
    public static partial void StatusAckRefused(this ILogger logger, Guid messageId, ErrorCode code, string detail);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Warning,
        Message = "Connection to {Uri} ended with 213: the server took the session over for a resume this client had given up ({Left} such attempt(s) left); resuming again")]
    public static partial void TakenOverByGivenUpResume(this ILogger logger, Uri uri, int left);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Connecting to {Uri} failed, trying {Next}: {Reason}")]
    public static partial void EndpointUnavailable(this ILogger logger, Uri uri, Uri next, string reason);
}
