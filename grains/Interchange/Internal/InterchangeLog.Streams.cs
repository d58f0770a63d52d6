using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Interchange.Internal;

// Streams across the interchange (docs/protocol.md section 5.18, "Streams"): event ids 3420–3429.
internal static partial class InterchangeLog
{
    [LoggerMessage(EventId = 3420, Level = LogLevel.Debug,
        Message = "Stream {Key}: {Packets} packets did not reach station {Station}; they are lost, as streams may be")]
    public static partial void StreamNotSentToStation(ILogger logger, string key, int packets, string station, Exception exception);

    [LoggerMessage(EventId = 3421, Level = LogLevel.Debug,
        Message = "Stream {Key}: the interchange could not be asked where the link's packets go; none go to a station until it can")]
    public static partial void StreamTargetsNotAsked(ILogger logger, string key, Exception exception);
}
