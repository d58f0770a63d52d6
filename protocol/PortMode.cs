namespace TamTam.Protocol;

/// <summary>How a port hands out messages (docs/protocol.md, section 5.9).</summary>
public enum PortMode : byte
{
    /// <summary>One bound node receives each message, in fair rotation.</summary>
    Unicast = 1,

    /// <summary>Every bound node receives every message.</summary>
    Group = 2,

    /// <summary>Every node of the link receives every message.</summary>
    Broadcast = 3,
}
