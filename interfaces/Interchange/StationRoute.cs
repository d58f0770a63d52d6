using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Interfaces.Interchange;

/// <summary>
/// A route: link <see cref="Link"/> is hosted by <see cref="Station"/>, whose session receives the link's deliveries and
/// statuses through <see cref="Observer"/>. <see cref="AtUs"/>: when it was registered or last claimed; <see cref="LastUsedUs"/>:
/// when its link last reported a message accepted for it (0: none yet).
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationRoute")]
public sealed record StationRoute(
    [property: Id(0)] string Link,
    [property: Id(1)] string Station,
    [property: Id(2)] Guid AttachmentId,
    [property: Id(3)] ILinkObserver Observer,
    [property: Id(4)] RouteLearning Learned,
    [property: Id(5)] long AtUs,
    [property: Id(6)] long LastUsedUs = 0);

/// <summary>
/// A route as ROUTES and operators see it. <see cref="LastUsedUs"/>: when it was last used, its registration, its last claim
/// or the last message its link accepted for it (reported by the link every few seconds while messages flow).
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.RouteSummary")]
public sealed record RouteSummary(
    [property: Id(0)] string Link,
    [property: Id(1)] string Station,
    [property: Id(2)] RouteLearning Learned,
    [property: Id(3)] long AtUs,
    [property: Id(4)] long LastUsedUs = 0);

/// <summary>A registered station as the dashboard sees it.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationSummary")]
public sealed record StationSummary(
    [property: Id(0)] string Station,
    [property: Id(1)] string[] Links,
    [property: Id(2)] long RegisteredAtUs);
