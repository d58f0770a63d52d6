using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Internal;

/// <summary>Streaming mode's log events (1101–1102), apart from <see cref="GatewayLog"/>'s session events.</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: publishing to the stream of {Link}:{Port} failed; its packets were refused with 501")]
    public static partial void StreamPublishFailed(this ILogger logger, Exception exception, string connectionId, string link, string port);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: unsubscribing from the stream of port {Port} failed; the agent drops the subscription when its consumer is gone")]
    public static partial void StreamUnsubscribeFailed(this ILogger logger, Exception exception, string connectionId, string port);
}
