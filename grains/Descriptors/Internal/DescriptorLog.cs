using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Descriptors.Internal;

/// <summary>Log messages of message descriptor grains (event ids 3300–3399, docs/architecture.md "Log event ids").</summary>
internal static partial class DescriptorLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Debug, Message = "Descriptor of message {MessageId} in link {Link} activated")]
    public static partial void Activated(ILogger logger, string link, Guid messageId);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Debug, Message = "Descriptor of message {MessageId} in link {Link}: cancel by {Requester} answered {Code}")]
    public static partial void CancelAnswered(ILogger logger, string link, Guid messageId, string requester, ErrorCode code);
}
