using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Streams.Internal;

internal static partial class StreamLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Stream {Key}: the queue refused a batch of {Packets} packet(s)")]
    public static partial void QueueRefused(ILogger logger, Exception exception, string key, int packets);
}
