namespace TamTam.Protocol;

/// <summary>Who may send a frame type (docs/protocol.md, section 5, column "direction").</summary>
public enum FrameDirection : byte
{
    ClientToServer = 1,
    ServerToClient = 2,
    Both = 3,
}
