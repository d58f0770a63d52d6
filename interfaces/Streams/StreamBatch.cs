namespace TamTam.Interfaces.Streams;

/// <summary>
/// The event an Orleans stream of one (link, port) carries: consecutive packets, the first numbered
/// <see cref="FirstSequence"/> and each next one more. One event per publish call, not per packet: a stream
/// event costs a queue-grain call and a delivery call per subscriber, so packets travel in batches.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StreamBatch")]
public sealed record StreamBatch(
    [property: Id(0)] string Link,
    [property: Id(1)] string Port,
    [property: Id(2)] ulong FirstSequence,
    [property: Id(3)] StreamPacketData[] Packets);
