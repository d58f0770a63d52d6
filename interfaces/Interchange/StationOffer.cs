namespace TamTam.Interfaces.Interchange;

/// <summary>A ring-forwarded message's descriptor as a station is offered it (STATION_OFFER).</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StationOffer")]
public sealed record StationOffer(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string SourceLink,
    [property: Id(2)] string Link,
    [property: Id(3)] string Port,
    [property: Id(4)] byte Ttl,
    [property: Id(5)] ulong Size);
