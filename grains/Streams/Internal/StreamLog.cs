using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Streams.Internal;

/// <summary>Log events of stream ports and relays (3200–3299, docs/architecture.md "Log event ids").</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug,
        Message = "Stream {Key}: a batch of {Packets} packet(s) was refused, the relay of silo {Silo} being {Backlog} packets behind")]
    public static partial void RelayLagging(ILogger logger, string key, int packets, SiloAddress silo, int backlog);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Stream {Key}: the relay of silo {Silo} subscribed")]
    public static partial void RelaySubscribed(ILogger logger, string key, SiloAddress silo);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information,
        Message = "Stream {Key}: the relay of silo {Silo} was dropped ({Reason}); {Lost} packet(s) did not reach it")]
    public static partial void RelayDropped(ILogger logger, Exception? exception, string key, SiloAddress silo, string reason, int lost);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug,
        Message = "Stream {Key}: silo {Silo} hosts no relay (it runs without streaming) and is left out")]
    public static partial void SiloWithoutRelay(ILogger logger, string key, SiloAddress silo);

    [LoggerMessage(EventId = 3210, Level = LogLevel.Debug,
        Message = "Stream {Key}: grain {Grain} has no observer attached to its subscription; {Packets} packet(s) were not handed over")]
    public static partial void ConsumerWithoutObserver(ILogger logger, string key, GrainId grain, int packets);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Warning,
        Message = "Stream {Key}: {Packets} packet(s) did not reach grain {Grain} (its observer failed, or the grain could not be reached)")]
    public static partial void ConsumerFailed(ILogger logger, Exception exception, string key, GrainId grain, int packets);

    [LoggerMessage(EventId = 3212, Level = LogLevel.Information,
        Message = "Stream {Key}: the Orleans client {Client} is gone; its subscriptions end")]
    public static partial void ConsumerGone(ILogger logger, Exception exception, string key, GrainId client);
}
