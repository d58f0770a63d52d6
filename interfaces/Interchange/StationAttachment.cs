namespace TamTam.Interfaces.Interchange;

/// <summary>
/// A station session: the station's name, the connection's attachment id (every later call of the session names it, so
/// that a call of an earlier connection of the same station changes nothing) and where offers reach it.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationAttachment")]
public sealed record StationAttachment(
    [property: Id(0)] string Station,
    [property: Id(1)] Guid AttachmentId,
    [property: Id(2)] IStationObserver Observer);

/// <summary>A link a station serves, and where its deliveries and statuses reach the station's session.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.HostedLink")]
public sealed record HostedLink(
    [property: Id(0)] string Link,
    [property: Id(1)] Links.ILinkObserver Observer);
