namespace TamTam.Protocol;

/// <summary>The numbers that protocol v1 fixes (docs/protocol.md, section 2.2).</summary>
public static class ProtocolLimits
{
    public const int HeaderSize = 16;
    public const byte Magic0 = 0x54;
    public const byte Magic1 = 0x54;
    public const byte Version = 1;

    /// <summary>Largest body accepted before WELCOME.</summary>
    public const int HandshakeMaxBody = 65_536;

    /// <summary>Largest body after the handshake unless negotiated otherwise.</summary>
    public const int DefaultMaxBody = 1_048_576;

    /// <summary>No negotiation may go above this.</summary>
    public const int MaxBodyCeiling = 16_777_216;

    /// <summary>Smallest maximum body a peer may announce.</summary>
    public const int MinMaxBody = 1_024;

    /// <summary>Longest name (link, node, station) in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 64;

    /// <summary>Longest port name in UTF-8 bytes.</summary>
    public const int MaxPortBytes = 255;

    public const int UuidSize = 16;
    public const int Sha256Size = 32;
}
