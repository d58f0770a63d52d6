namespace TamTam.Interfaces.Links;

/// <summary>Where a batch of SENDs comes from: the sending node and its link.</summary>
/// <param name="Link">The sending node's link.</param>
/// <param name="Node">The sending node.</param>
/// <param name="Attachment">
/// The sending connection's attachment (<see cref="NodeAttachment.SessionId"/>); empty when not known. The node's
/// own link refuses the batch with 213 when another connection holds the node now: a connection whose session was
/// resumed elsewhere sends nothing more as the node.
/// </param>
[GenerateSerializer, Immutable, Alias("tamtam.MessageSource")]
public sealed record MessageSource(
    [property: Id(0)] string Link,
    [property: Id(1)] string Node,
    [property: Id(2)] Guid Attachment = default);
