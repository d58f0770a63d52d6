using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Transports.Internal;

/// <summary>The transports' own log events (the sessions' are in <c>GatewayLog</c>). Event ids are stable: 1100–1199 (docs/architecture.md "Log event ids").</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: a text WebSocket message arrived; closing with fatal error 117")]
    public static partial void WebSocketTextMessage(this ILogger logger, string connectionId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: the peer did not take the last bytes or answer the WebSocket Close within {TimeoutMs} ms; aborted")]
    public static partial void WebSocketCloseUnanswered(this ILogger logger, string connectionId, long timeoutMs);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug,
        Message = "Request {TraceId} to the WebSocket endpoint is not a WebSocket upgrade; answered 400")]
    public static partial void NotAWebSocketRequest(this ILogger logger, string traceId);
}
