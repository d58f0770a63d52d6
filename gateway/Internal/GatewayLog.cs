using Microsoft.Extensions.Logging;
using TamTam.Protocol;

namespace TamTam.Gateway.Internal;

/// <summary>The gateway's session log events (1000–1099, docs/architecture.md "Log event ids"). Event ids are stable: operators filter and alert on them.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} opened over {Transport} from {Remote}")]
    public static partial void ConnectionOpened(this ILogger logger, string connectionId, string transport, string remote);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Session {SessionId} welcomed on connection {ConnectionId}: client \"{Client}\", version {Version}, max body {MaxBody}, heartbeat {HeartbeatMs} ms")]
    public static partial void SessionWelcomed(this ILogger logger, Guid sessionId, string connectionId, string client, ushort version, int maxBody, long heartbeatMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Connection {ConnectionId} (session {SessionId}) closed after {DurationMs} ms ({Reason}): {FramesIn} frames in, {FramesOut} out, {Errors} errors")]
    public static partial void ConnectionClosed(this ILogger logger, string connectionId, Guid sessionId, long durationMs, string reason, long framesIn, long framesOut, long errors);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: frame 0x{FrameType:x2} (correlation {Correlation}) answered with error {Code}: {Detail}")]
    public static partial void FrameRejected(this ILogger logger, string connectionId, byte frameType, uint correlation, ErrorCode code, string detail);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: closing with fatal error {Code}: {Detail}")]
    public static partial void ClosingWithError(this ILogger logger, string connectionId, ErrorCode code, string detail);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: the transport ended {PendingBytes} bytes into a frame (error 117)")]
    public static partial void TransportTruncated(this ILogger logger, string connectionId, long pendingBytes);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: the client reported error {Code} (fatal: {Fatal}): {Detail}")]
    public static partial void PeerError(this ILogger logger, string connectionId, ErrorCode code, bool fatal, string detail);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: the final ERROR could not be delivered within {TimeoutMs} ms; the peer is not reading")]
    public static partial void FinalErrorNotDelivered(this ILogger logger, string connectionId, long timeoutMs);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: HELLO refused with {Code} (key id {KeyId}): {Detail}")]
    public static partial void AuthenticationFailed(this ILogger logger, string connectionId, ErrorCode code, string keyId, string detail);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Debug,
        Message = "Session {SessionId} authenticated by a token of key {KeyId}: {Claims}")]
    public static partial void SessionAuthenticated(this ILogger logger, Guid sessionId, string keyId, string claims);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error,
        Message = "Connection {ConnectionId}: the session failed and is closed with error 500")]
    public static partial void SessionFaulted(this ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: the transport failed")]
    public static partial void TransportFailed(this ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: a call to link {Link} failed; its frames were refused with 501")]
    public static partial void LinkCallFailed(this ILogger logger, Exception exception, string connectionId, string link);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: rejoining link {Link} as {Node} failed (attempt {Attempt})")]
    public static partial void RelinkFailed(this ILogger logger, Exception exception, string connectionId, string link, string node, int attempt);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: link {Link} refused to take node {Node} back: {Code} {Detail}")]
    public static partial void RelinkRefused(this ILogger logger, string connectionId, string link, string node, ErrorCode code, string detail);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} joined link {Link} as node {Node}")]
    public static partial void SessionJoined(this ILogger logger, string connectionId, string link, string node);

    [LoggerMessage(EventId = 1034, Level = LogLevel.Information,
        Message = "Session {SessionId} resumed on connection {ConnectionId} as node {Node} of link {Link}")]
    public static partial void SessionResumed(this ILogger logger, Guid sessionId, string connectionId, string link, string node);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: joining link {Link} again as {Node}: {Reason}")]
    public static partial void Rejoining(this ILogger logger, string connectionId, string link, string node, string reason);

    [LoggerMessage(EventId = 1044, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: joined link {Link} again as {Node} after {Milliseconds} ms ({Attempts} attempt(s))")]
    public static partial void Rejoined(this ILogger logger, string connectionId, string link, string node, long milliseconds, int attempts);

    [LoggerMessage(EventId = 1035, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: closing with error 501, its unfinished frame ({PendingBytes} bytes) does not fit in what unfinished frames may hold ({BudgetBytes} bytes, TamTam:Gateway:MaxUnfinishedFrameBytes)")]
    public static partial void UnfinishedFramesOverBudget(this ILogger logger, string connectionId, long pendingBytes, long budgetBytes);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: a push of {Count} frames to node {Node} of link {Link} was not flushed within {WaitMs} ms (the client is not reading); the session stays attached")]
    public static partial void PushNotFlushed(this ILogger logger, string connectionId, string link, string node, int count, long waitMs);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: message {MessageId} ({Size} bytes) exceeds the receiver's max_body of {MaxBody}; it is delivered as parts")]
    public static partial void DeliveredAsParts(this ILogger logger, string connectionId, Guid messageId, int size, int maxBody);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: its session was resumed on another connection; this one is closed (213)")]
    public static partial void SessionSuperseded(this ILogger logger, string connectionId);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: station {Station} registered with links [{Links}]")]
    public static partial void StationRegistered(this ILogger logger, string connectionId, string station, string links);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: station {Station} left the interchange; {Offers} open offers go back to their links")]
    public static partial void StationLeft(this ILogger logger, string connectionId, string station, int offers);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: a call of station {Station} to the interchange or link {Link} failed")]
    public static partial void StationCallFailed(this ILogger logger, Exception exception, string connectionId, string station, string link);

    [LoggerMessage(EventId = 1090, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: a {Frame} call to a message descriptor failed; it was refused with 501")]
    public static partial void DescriptorCallFailed(this ILogger logger, Exception exception, string connectionId, string frame);
}
