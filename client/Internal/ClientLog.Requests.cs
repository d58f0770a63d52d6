using Microsoft.Extensions.Logging;

namespace TamTam.Client.Internal;

// Request/reply events: 5050–5059.
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 5050, Level = LogLevel.Warning,
        Message = "Reply {MessageId} from {SourceLink}:{SourceNode} to request {CorrelationId} came after its request stopped waiting (timed out, cancelled or from an earlier run): acknowledged and dropped")]
    public static partial void LateReplyDropped(this ILogger logger, Guid correlationId, Guid messageId, string sourceLink, string sourceNode);

    [LoggerMessage(EventId = 5051, Level = LogLevel.Debug, Message = "Bound reply port {Port} for node {Node}")]
    public static partial void ReplyPortBound(this ILogger logger, string port, string node);

    [LoggerMessage(EventId = 5052, Level = LogLevel.Debug, Message = "Request {MessageId} to {Port} got no reply within {Timeout}")]
    public static partial void RequestGotNoReply(this ILogger logger, Guid messageId, string port, TimeSpan timeout);
}
