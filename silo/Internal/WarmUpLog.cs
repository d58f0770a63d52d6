using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>The warm-up's log events (2050–2059, docs/architecture.md "Log event ids").</summary>
internal static partial class WarmUpLog
{
    [LoggerMessage(EventId = 2050, Level = LogLevel.Information,
        Message = "Warming up before the listeners open: {Messages} acknowledged messages on link {Link}, stored under {Directory}; bound {Timeout}")]
    public static partial void WarmUpStarted(this ILogger logger, int messages, string link, string directory, TimeSpan timeout);

    [LoggerMessage(EventId = 2051, Level = LogLevel.Information, Message = "Warmed up: {Delivered} messages delivered in {ElapsedMs} ms ({Rate} msgs/s)")]
    public static partial void WarmUpFinished(this ILogger logger, long delivered, long elapsedMs, long rate);

    [LoggerMessage(EventId = 2052, Level = LogLevel.Warning,
        Message = "The warm-up did not finish ({Delivered} of {Messages} messages delivered in {ElapsedMs} ms); the listeners open anyway")]
    public static partial void WarmUpCut(this ILogger logger, long delivered, int messages, long elapsedMs, Exception exception);

    [LoggerMessage(EventId = 2053, Level = LogLevel.Warning,
        Message = "No warm-up: anonymous sessions are off (TamTam:Security:AllowAnonymous) and no key (TamTam:Security:Keys) can sign the warm-up's token")]
    public static partial void WarmUpWithoutKey(this ILogger logger);

    [LoggerMessage(EventId = 2054, Level = LogLevel.Warning,
        Message = "The warm-up's link {Link} did not close within {Wait}; its directory {Directory} is left in place, to be removed by hand")]
    public static partial void WarmUpLinkNotClosed(this ILogger logger, string link, TimeSpan wait, string directory);

    [LoggerMessage(EventId = 2055, Level = LogLevel.Warning, Message = "The warm-up's directory {Directory} could not be removed; remove it by hand")]
    public static partial void WarmUpNotRemoved(this ILogger logger, string directory, Exception exception);
}
