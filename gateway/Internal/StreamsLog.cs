using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Internal;

/// <summary>Streaming mode's log events (1101–1102), apart from <see cref="GatewayLog"/>'s session events.</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: publishing to the stream of {Key} failed; its packets were refused with 501")]
    public static partial void StreamPublishFailed(this ILogger logger, Exception exception, string connectionId, string key);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "Renewing this silo's subscription to the stream of {Key} failed; its packets do not reach this silo until a renewal succeeds")]
    public static partial void StreamRenewalFailed(this ILogger logger, Exception exception, string key);
}
