using Microsoft.Extensions.Logging;

namespace TamTam.Station.Internal;

/// <summary>The station's log events of parted messages, ids 6030–6039.</summary>
internal static partial class StationLog
{
    [LoggerMessage(EventId = 6030, Level = LogLevel.Debug,
        Message = "station {Station} receives parted {MessageId} for link {Link}: {Held} of {Parts} parts held already")]
    public static partial void Receiving(ILogger logger, string station, Guid messageId, string link, int held, int parts);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning,
        Message = "station {Station} received parted {MessageId} for link {Link} whose SHA-256 does not match; it is NACKed")]
    public static partial void DigestMismatch(ILogger logger, string station, Guid messageId, string link);

    [LoggerMessage(EventId = 6032, Level = LogLevel.Debug,
        Message = "station {Station} uploaded parted {MessageId} to link {Link}: {Bytes} bytes in {Parts} parts")]
    public static partial void Uploaded(ILogger logger, string station, Guid messageId, string link, long bytes, int parts);

    [LoggerMessage(EventId = 6033, Level = LogLevel.Warning,
        Message = "station {Station} could not finish the upload of {MessageId} to link {Link} ({Reason}); the sender's next SEND resumes it")]
    public static partial void UploadInterrupted(ILogger logger, string station, Guid messageId, string link, string reason);
}
