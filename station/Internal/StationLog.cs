using Microsoft.Extensions.Logging;

namespace TamTam.Station.Internal;

/// <summary>The station's log events, ids 6000–6099 (docs/architecture.md, "Log event ids").</summary>
internal static partial class StationLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "station {Station} registered at {Endpoint} with {Links} links")]
    public static partial void Registered(ILogger logger, string station, Uri endpoint, int links);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "station {Station} lost its session at {Endpoint}; reconnecting")]
    public static partial void Unregistered(ILogger logger, string station, Uri endpoint);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "station {Station} was refused by {Endpoint}: {Reason}; trying again")]
    public static partial void Refused(ILogger logger, string station, Uri endpoint, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "station {Station} could not reach {Endpoint}: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string station, Uri endpoint, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "station {Station} claimed {MessageId} for link {Link} at {Endpoint}")]
    public static partial void Claimed(ILogger logger, string station, Guid messageId, string link, Uri endpoint);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "station {Station} could not hand deliveries to its link {Link}; they are NACKed to come again")]
    public static partial void LocalSendFailed(ILogger logger, string station, string link, Exception exception);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "station {Station} could not hand a status to its link {Link}; the interchange keeps it")]
    public static partial void LocalStatusFailed(ILogger logger, string station, string link, Exception exception);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "station {Station} received a status of {MessageId} from {Endpoint} that it never sent; confirmed")]
    public static partial void UnknownStatus(ILogger logger, string station, Guid messageId, Uri endpoint);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Debug, Message = "station {Station} dropped {Packets} stream packets from upstream for link {Link}, which it does not host")]
    public static partial void StreamNotHosted(ILogger logger, string station, string link, int packets);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Debug, Message = "station {Station} could not publish {Packets} stream packets from upstream to {Key}: {Reason}; they are lost, as streams may be")]
    public static partial void StreamNotPublished(ILogger logger, string station, string key, int packets, string reason, Exception? exception);
}
