namespace TamTam.Interfaces.Descriptors;

/// <summary>
/// Who asks about a message, and what the gateway found its token to allow (docs/security.md section 4). A requester
/// sees and cancels the messages its own node sent; <see cref="AnySender"/> extends that to every sender's messages of
/// the link asked about.
/// </summary>
/// <param name="Link">The asking session's link; empty before JOIN.</param>
/// <param name="Node">The asking session's node; empty before JOIN.</param>
/// <param name="AnySender">The session may act on messages of any sender in the link.</param>
[GenerateSerializer, Immutable, Alias("tamtam.MessageRequester")]
public sealed record MessageRequester(
    [property: Id(0)] string Link,
    [property: Id(1)] string Node,
    [property: Id(2)] bool AnySender)
{
    /// <summary>True when the message from <paramref name="sourceLink"/>/<paramref name="sourceNode"/> is the requester's to see or cancel.</summary>
    public bool May(string sourceLink, string sourceNode) => AnySender || (sourceLink == Link && sourceNode == Node);
}
