namespace TamTam.Client;

/// <summary>Per-packet choices for <see cref="TamTamClient.PublishAsync"/>; every property is optional.</summary>
public sealed record StreamOptions
{
    /// <summary>The passes a packet gets unless told otherwise.</summary>
    public const byte DefaultTtl = 8;

    /// <summary>The destination link; <see langword="null"/> publishes within the client's own link.</summary>
    public string? Link { get; init; }

    /// <summary>
    /// Interchange passes the packet may make, 1 to 255. A packet within its own link makes none; one to
    /// another link makes one, so it needs at least 2 (with 1 the server answers 305 and does not forward it).
    /// </summary>
    public byte Ttl { get; init; } = DefaultTtl;

    /// <summary>Ask each receiver for a STREAM_ACK (counted by the server).</summary>
    public bool WantAck { get; init; }

    /// <summary>
    /// Address the port's subtree (SUBTREE): the packet reaches the nodes bound to any port in the subtree of the
    /// port, not only to the port itself. Packets addressed to a port's subtree are numbered apart from those
    /// addressed to the port alone (<see cref="StreamPacket.Subtree"/>).
    /// </summary>
    public bool Subtree { get; init; }

    /// <summary>The packet's id; <see langword="null"/> draws a new time-ordered one.</summary>
    public Guid? PacketId { get; init; }
}
