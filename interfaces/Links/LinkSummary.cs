namespace TamTam.Interfaces.Links;

/// <summary>A link as LINKS reports it: its member nodes and its last assigned sequence (0: none yet).</summary>
[GenerateSerializer, Immutable, Alias("tamtam.LinkSummary")]
public sealed record LinkSummary(
    [property: Id(0)] string Link,
    [property: Id(1)] uint Nodes,
    [property: Id(2)] ulong Sequence);
