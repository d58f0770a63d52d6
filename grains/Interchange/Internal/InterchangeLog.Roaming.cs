using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Interchange.Internal;

// Waking roaming links after a restart and the policy (event ids 3440–3449).
internal static partial class InterchangeLog
{
    [LoggerMessage(EventId = 3440, Level = LogLevel.Information, Message = "Woke {Listed} links with roaming messages at start")]
    public static partial void RoamingWoken(ILogger logger, int listed);

    [LoggerMessage(EventId = 3441, Level = LogLevel.Warning, Message = "The links with roaming messages could not be woken at start; each routes them once something reaches it")]
    public static partial void RoamingWakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3442, Level = LogLevel.Warning, Message = "Link {Link} could not be woken at start; it routes its roaming messages once something reaches it")]
    public static partial void RoamingNotWoken(ILogger logger, string link, Exception exception);

    [LoggerMessage(EventId = 3443, Level = LogLevel.Warning, Message = "Link {Link} could not update the list of links with roaming messages; it tries again on its next tick")]
    public static partial void RoamingNotListed(ILogger logger, string link, Exception exception);

    [LoggerMessage(EventId = 3444, Level = LogLevel.Information, Message = "Link {Link} woke with {Waiting} roaming messages waiting; it routes them again in {Delay}")]
    public static partial void RoamingResumed(ILogger logger, string link, int waiting, TimeSpan delay);
}
