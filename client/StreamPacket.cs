namespace TamTam.Client;

/// <summary>
/// One packet received in streaming mode (STREAM): fire-and-forget, never redelivered. Packets of one stream —
/// (link, port, <see cref="Subtree"/>) — arrive in <see cref="Sequence"/> order; <see cref="LostBefore"/> says how
/// many were missed just before this one.
/// </summary>
public sealed class StreamPacket
{
    internal StreamPacket(Guid packetId, string link, string port, bool subtree, ulong sequence, byte ttl, bool ackRequested, long lostBefore, ReadOnlyMemory<byte> payload)
    {
        PacketId = packetId;
        Link = link;
        Port = port;
        Subtree = subtree;
        Sequence = sequence;
        Ttl = ttl;
        AckRequested = ackRequested;
        LostBefore = lostBefore;
        Payload = payload;
    }

    /// <summary>The sender's id for the packet.</summary>
    public Guid PacketId { get; }

    /// <summary>The link the packet was delivered in.</summary>
    public string Link { get; }

    /// <summary>The port the packet was published to.</summary>
    public string Port { get; }

    /// <summary>
    /// The packet was addressed to the subtree of <see cref="Port"/> (SUBTREE) — it reached this node through a
    /// binding of <see cref="Port"/> or of a port below or above it. Such packets are the port's subtree stream,
    /// numbered apart from the packets addressed to <see cref="Port"/> alone.
    /// </summary>
    public bool Subtree { get; }

    /// <summary>The packet's place in its (link, port, <see cref="Subtree"/>) stream, numbered by the server from 1, consecutive.</summary>
    public ulong Sequence { get; }

    /// <summary>Interchange passes the packet had left when it was delivered.</summary>
    public byte Ttl { get; }

    /// <summary>The sender asked for an acknowledgement; the client has sent STREAM_ACK for it already.</summary>
    public bool AckRequested { get; }

    /// <summary>
    /// Packets of the same stream (link, port, <see cref="Subtree"/>) this client did not hand over between the previous one and this one: lost
    /// on the way (a slow subscriber's server buffer, a failed queue) or dropped by this client because the
    /// application fell <see cref="TamTamClient.StreamBufferCapacity"/> packets behind. 0 for the first packet
    /// of a port, and after the sequence restarted (the server's port stream was reactivated).
    /// </summary>
    public long LostBefore { get; }

    /// <summary>The payload, copied out of the connection's buffers.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <inheritdoc />
    public override string ToString() => $"{PacketId} {Link}:{Port}{(Subtree ? "/" : string.Empty)} #{Sequence}{(LostBefore > 0 ? $" ({LostBefore} lost before)" : string.Empty)}";
}
