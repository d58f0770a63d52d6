using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Interfaces.Interchange;

/// <summary>
/// A route: link <see cref="Link"/> is hosted by <see cref="Station"/>, whose session receives the link's deliveries and
/// statuses through <see cref="Observer"/>. <see cref="AtUs"/>: when it was registered or last claimed.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationRoute")]
public sealed record StationRoute(
    [property: Id(0)] string Link,
    [property: Id(1)] string Station,
    [property: Id(2)] Guid AttachmentId,
    [property: Id(3)] ILinkObserver Observer,
    [property: Id(4)] RouteLearning Learned,
    [property: Id(5)] long AtUs);

/// <summary>A route as ROUTES and operators see it.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.RouteSummary")]
public sealed record RouteSummary(
    [property: Id(0)] string Link,
    [property: Id(1)] string Station,
    [property: Id(2)] RouteLearning Learned,
    [property: Id(3)] long AtUs);

/// <summary>A registered station as the dashboard sees it.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationSummary")]
public sealed record StationSummary(
    [property: Id(0)] string Station,
    [property: Id(1)] string[] Links,
    [property: Id(2)] long RegisteredAtUs);
