using TamTam.Interfaces.Transfers;

namespace TamTam.Interfaces.Links;

/// <summary>A message on its way to one node: becomes a DELIVER frame at the node's session.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.Delivery")]
public sealed record Delivery(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] ulong PortSequence,
    [property: Id(3)] string SourceLink,
    [property: Id(4)] string SourceNode,
    [property: Id(5)] string Link,
    [property: Id(6)] string Port,
    [property: Id(7)] ushort Attempt,
    [property: Id(8)] long DeadlineUs,
    [property: Id(9)] bool Redelivery,
    [property: Id(10)] byte[] Payload,
    [property: Id(11)] TransferDescriptor? Transfer = null,
    [property: Id(12)] ReplyRoute? Reply = null,
    [property: Id(13)] string? TraceParent = null);
