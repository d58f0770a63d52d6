using TamTam.Protocol;

namespace TamTam.Interfaces.Links;

/// <summary>A port binding of a link and the nodes that hold it, for operators (the dashboard).</summary>
/// <param name="Port">The bound port, or the root of the bound subtree when <paramref name="Subtree"/>.</param>
/// <param name="Mode">How the port delivers: unicast, group or broadcast.</param>
/// <param name="Subtree">True for a binding of the port and every port below it.</param>
/// <param name="Nodes">The nodes holding this binding, sorted by name.</param>
[GenerateSerializer, Immutable, Alias("tamtam.PortSummary")]
public sealed record PortSummary(
    [property: Id(0)] string Port,
    [property: Id(1)] PortMode Mode,
    [property: Id(2)] bool Subtree,
    [property: Id(3)] string[] Nodes);
