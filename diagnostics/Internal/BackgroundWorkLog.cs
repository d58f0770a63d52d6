using Microsoft.Extensions.Logging;

namespace TamTam.Diagnostics.Internal;

/// <summary>Log events of <see cref="BackgroundWork"/> (9000–9099, docs/architecture.md "Log event ids").</summary>
internal static partial class BackgroundWorkLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Error, Message = "Background work \"{Work}\" failed")]
    public static partial void Failed(ILogger logger, Exception exception, string work);
}
