using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>The host's log events. Event ids are stable.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "TamTam interchange listening: {TcpAddress}, {HttpAddress}")]
    public static partial void Listening(this ILogger logger, string tcpAddress, string httpAddress);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "TamTam interchange stopping: sessions are told 211 and closed")]
    public static partial void Stopping(this ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "TamTam interchange stopped")]
    public static partial void Stopped(this ILogger logger);
}
