using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Streams.Internal;

internal static partial class StreamLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug,
        Message = "Stream {Key}: a batch of {Packets} packet(s) was refused, the relay of silo {Silo} being {Backlog} packets behind")]
    public static partial void RelayLagging(ILogger logger, string key, int packets, SiloAddress silo, int backlog);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Stream {Key}: the relay of silo {Silo} subscribed")]
    public static partial void RelaySubscribed(ILogger logger, string key, SiloAddress silo);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information,
        Message = "Stream {Key}: the relay of silo {Silo} was dropped ({Reason}); {Lost} packet(s) did not reach it")]
    public static partial void RelayDropped(ILogger logger, Exception? exception, string key, SiloAddress silo, string reason, int lost);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug,
        Message = "Stream {Key}: silo {Silo} hosts no relay (it runs without streaming) and is left out")]
    public static partial void SiloWithoutRelay(ILogger logger, string key, SiloAddress silo);
}
