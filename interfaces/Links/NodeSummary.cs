namespace TamTam.Interfaces.Links;

/// <summary>
/// A node of a link as NODES reports it. <see cref="RttMicroseconds"/>: the last round trip its gateway measured
/// (heartbeat PING to PONG) while it is online; 0 when not known.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.NodeSummary")]
public sealed record NodeSummary(
    [property: Id(0)] string Node,
    [property: Id(1)] bool Online,
    [property: Id(2)] int Pending,
    [property: Id(3)] uint RttMicroseconds = 0);
