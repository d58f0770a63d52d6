namespace TamTam.Interfaces.Streams;

/// <summary>One STREAM packet as the interchange carries it: no descriptor, no log, a payload and its remaining TTL.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StreamPacketData")]
public sealed record StreamPacketData(
    [property: Id(0)] Guid PacketId,
    [property: Id(1)] string SourceLink,
    [property: Id(2)] string SourceNode,
    [property: Id(3)] byte Ttl,
    [property: Id(4)] bool WantAck,
    [property: Id(5)] byte[] Payload);
