namespace TamTam.Interfaces.Links;

/// <summary>A session asking to act as node <see cref="Node"/> of a link, and where to reach it.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.NodeAttachment")]
public sealed record NodeAttachment(
    [property: Id(0)] string Node,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] ILinkObserver Observer);
