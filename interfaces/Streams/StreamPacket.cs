namespace TamTam.Interfaces.Streams;

/// <summary>
/// One streaming-mode packet as grains and Orleans clients publish and receive it through the <c>tamtam</c> stream
/// provider (docs/architecture.md, "Orleans streams over the direct path"): the same packet a node sends and receives
/// as STREAM (docs/protocol.md 5.16). A publisher sets <see cref="Payload"/> and, if it wants, <see cref="PacketId"/>,
/// <see cref="Ttl"/> and <see cref="WantAck"/>; the stream it is published on gives the link, the port and SUBTREE, and
/// the port's sequencer the <see cref="Sequence"/>.
/// </summary>
/// <remarks>Immutable once received: every subscriber of a silo shares the payload's bytes with the others.</remarks>
[GenerateSerializer, Immutable, Alias("tamtam.StreamPacket")]
public sealed class StreamPacket
{
    /// <summary>The TTL a packet gets when its publisher sets none: the .NET client's default too.</summary>
    public const byte DefaultTtl = 8;

    public StreamPacket()
    {
    }

    public StreamPacket(ReadOnlyMemory<byte> payload) => Payload = payload;

    /// <summary>The payload; up to the link's max body less the frame's fields.</summary>
    [Id(0)]
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The publisher's id for the packet; a new one is made at publish when left empty.</summary>
    [Id(1)]
    public Guid PacketId { get; init; }

    /// <summary>Interchange passes left, 1 … 255: as published, and as left when received.</summary>
    [Id(2)]
    public byte Ttl { get; init; } = DefaultTtl;

    /// <summary>The publisher asks receivers for STREAM_ACK (wire nodes answer it; grains have nothing to answer).</summary>
    [Id(3)]
    public bool WantAck { get; init; }

    /// <summary>The link the packet was addressed to (received packets; ignored at publish).</summary>
    [Id(4)]
    public string Link { get; init; } = string.Empty;

    /// <summary>The port the packet was addressed to, the subtree's root for <see cref="Subtree"/> (received packets).</summary>
    [Id(5)]
    public string Port { get; init; } = string.Empty;

    /// <summary>The packet was addressed to the subtree of <see cref="Port"/> (received packets).</summary>
    [Id(6)]
    public bool Subtree { get; init; }

    /// <summary>The packet's place in its stream, numbered by the port's sequencer from 1, consecutive (received packets).</summary>
    [Id(7)]
    public ulong Sequence { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{PacketId} {Link}:{Port}{(Subtree ? "/" : string.Empty)} #{Sequence} ttl {Ttl}";
}
