namespace TamTam.Interfaces.Links;

/// <summary>A node of a link as NODES reports it.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.NodeSummary")]
public sealed record NodeSummary(
    [property: Id(0)] string Node,
    [property: Id(1)] bool Online,
    [property: Id(2)] int Pending);
