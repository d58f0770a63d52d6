using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Interchange.Internal;

/// <summary>Log messages of the interchange: stations, routes and the ring (event ids 3400–3499, docs/architecture.md "Log event ids").</summary>
internal static partial class InterchangeLog
{
    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Station {Station} registered (attachment {Attachment}) with {Links} links")]
    public static partial void StationRegistered(ILogger logger, string station, Guid attachment, int links);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "Station {Station} left (attachment {Attachment}); {Routes} routes dropped")]
    public static partial void StationLeft(ILogger logger, string station, Guid attachment, int routes);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Route {Link} -> {Station} added ({Learned})")]
    public static partial void RouteAdded(ILogger logger, string link, string station, string learned);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Information, Message = "Route {Link} -> {Station} dropped ({Reason})")]
    public static partial void RouteDropped(ILogger logger, string link, string station, string reason);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Information, Message = "Station registration {Station} refused: {Detail}")]
    public static partial void RegistrationRefused(ILogger logger, string station, string detail);

    [LoggerMessage(EventId = 3406, Level = LogLevel.Debug, Message = "Link {Link} offers message {MessageId} (sequence {Sequence}) to station {Station}, ttl {Ttl}")]
    public static partial void Offered(ILogger logger, string link, Guid messageId, ulong sequence, string station, int ttl);

    [LoggerMessage(EventId = 3407, Level = LogLevel.Information, Message = "Link {Link}: message {MessageId} (sequence {Sequence}) ends NO_ROUTE: {Reason}")]
    public static partial void NoRoute(ILogger logger, string link, Guid messageId, ulong sequence, string reason);

    [LoggerMessage(EventId = 3408, Level = LogLevel.Information, Message = "Link {Link}: the offer of message {MessageId} to station {Station} was lost ({Reason}); it is made again in {Retry}")]
    public static partial void OfferLost(ILogger logger, string link, Guid messageId, string station, string reason, TimeSpan retry);

    [LoggerMessage(EventId = 3409, Level = LogLevel.Warning, Message = "The interchange could not tell link {Link} about station {Station}")]
    public static partial void LinkNotTold(ILogger logger, string link, string station, Exception exception);

    [LoggerMessage(EventId = 3410, Level = LogLevel.Warning, Message = "Link {Link} could not ask the interchange about its routes; it asks again on its next tick")]
    public static partial void InterchangeNotAsked(ILogger logger, string link, Exception exception);
}
