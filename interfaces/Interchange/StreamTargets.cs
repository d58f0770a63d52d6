namespace TamTam.Interfaces.Interchange;

/// <summary>
/// Where the interchange sends the stream packets to a link (docs/protocol.md section 5.18, "Streams"): the station of the
/// link's route (<see cref="Routed"/>, one station), or, with no route known, every station of the ring in ring order.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StreamTargets")]
public sealed record StreamTargets(
    [property: Id(0)] bool Routed,
    [property: Id(1)] StationAttachment[] Stations);
