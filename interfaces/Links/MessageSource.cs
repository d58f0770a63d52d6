namespace TamTam.Interfaces.Links;

/// <summary>Where a batch of SENDs comes from: the sending node and its link.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.MessageSource")]
public sealed record MessageSource(
    [property: Id(0)] string Link,
    [property: Id(1)] string Node);
