using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

// The cluster around the silo: 2020–2039 of the host's range.
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 2020, Level = LogLevel.Information,
        Message = "Silo {Silo} was declared dead: {Sessions} session(s) of this gateway join their links again, so that the links it held take them back")]
    public static partial void SiloDied(this ILogger logger, string silo, int sessions);
}
