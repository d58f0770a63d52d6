using TamTam.Protocol;

namespace TamTam.Interfaces.Links;

/// <summary>A node's binding of a port, or with <see cref="Subtree"/> of every port below it too.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.PortBinding")]
public sealed record PortBinding(
    [property: Id(0)] string Port,
    [property: Id(1)] PortMode Mode,
    [property: Id(2)] bool Subtree);
