using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

// The dashboard's events: 2060–2079 of the host's range.
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 2060, Level = LogLevel.Warning,
        Message = "Dashboard: {Part} could not be queried for this snapshot and is shown empty: {Reason}")]
    public static partial void DashboardPartFailed(this ILogger logger, string part, string reason);
}
