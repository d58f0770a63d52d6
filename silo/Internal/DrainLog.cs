using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>The drain's log events (2040–2049, docs/architecture.md "Log event ids").</summary>
internal static partial class DrainLog
{
    [LoggerMessage(EventId = 2040, Level = LogLevel.Information,
        Message = "Draining: not ready, new connections are told 211, {Connections} open connections told 211; bound {Timeout}")]
    public static partial void DrainStarted(this ILogger logger, int connections, TimeSpan timeout);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Information, Message = "Drained the gateway in {ElapsedMs} ms; closing the listeners, then the silo leaves the cluster")]
    public static partial void SessionsDrained(this ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 2042, Level = LogLevel.Warning,
        Message = "{Connections} connections still open after the drain's {Grace} grace; the listeners close and cut them")]
    public static partial void SessionsLeft(this ILogger logger, int connections, TimeSpan grace);

    [LoggerMessage(EventId = 2043, Level = LogLevel.Information, Message = "Stopped {ElapsedMs} ms after the drain began")]
    public static partial void DrainFinished(this ILogger logger, long elapsedMs);
}
