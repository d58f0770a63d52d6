namespace TamTam.Interfaces.Links;

/// <summary>
/// A message's REPLY fields (docs/protocol.md section 5.10.1), resolved: for a request the link and port its reply
/// goes to (<see cref="Link"/> named, never empty), for a reply both empty. The link carries them unread.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.ReplyRoute")]
public sealed record ReplyRoute(
    [property: Id(0)] Guid CorrelationId,
    [property: Id(1)] string Link,
    [property: Id(2)] string Port);
