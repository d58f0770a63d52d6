using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Internal;

/// <summary>Streaming mode's log events (1200–1299, docs/architecture.md "Log event ids"), apart from <see cref="GatewayLog"/>'s session events.</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: publishing to the stream of {Key} failed; its packets were refused with 501")]
    public static partial void StreamPublishFailed(this ILogger logger, Exception exception, string connectionId, string key);
}
