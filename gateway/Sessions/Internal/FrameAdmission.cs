using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Which frames a server accepts in which session state (docs/protocol.md, sections 4 and 6.2), and the
/// error that refuses the others: 116 for a frame in the wrong direction or state, 206 for one that needs
/// a joined session, 207 for a second JOIN, 200 for anything but HELLO before WELCOME.
/// </summary>
internal static class FrameAdmission
{
    /// <summary>False for the frames only a server sends.</summary>
    public static bool IsClientToServer(FrameType type) => type.DirectionOf() != FrameDirection.ServerToClient;

    /// <summary>
    /// <see cref="ErrorCode.None"/> when a session in <paramref name="state"/> accepts a frame of a known
    /// <paramref name="type"/>; otherwise the code that refuses it.
    /// </summary>
    public static ErrorCode Check(SessionState state, FrameType type)
    {
        if (!IsClientToServer(type))
        {
            return ErrorCode.UnexpectedFrame;
        }

        return state switch
        {
            SessionState.Connected => type == FrameType.Hello ? ErrorCode.None : ErrorCode.HandshakeRequired,
            SessionState.Welcomed => CheckWelcomed(type),
            SessionState.Joined => CheckJoined(type),
            SessionState.Station => CheckStation(type),
            _ => ErrorCode.UnexpectedFrame,
        };
    }

    private static bool IsWelcomedFrame(FrameType type) => type is FrameType.Ping or FrameType.Pong or FrameType.Health
        or FrameType.Join or FrameType.Nodes or FrameType.Links or FrameType.StationRegister or FrameType.Error
        or FrameType.Message or FrameType.Cancel or FrameType.Audit or FrameType.Routes;

    private static bool IsNodeFrame(FrameType type) => type is FrameType.Leave or FrameType.Bind or FrameType.Unbind
        or FrameType.Send or FrameType.Ack or FrameType.Nack or FrameType.StatusAck or FrameType.Part or FrameType.PartAck
        or FrameType.Stream or FrameType.StreamAck;

    private static bool IsStationFrame(FrameType type) => type is FrameType.Send or FrameType.Ack or FrameType.Nack
        or FrameType.StatusAck or FrameType.StationClaim or FrameType.StationPass or FrameType.Part or FrameType.PartAck
        or FrameType.Stream or FrameType.StreamAck;

    private static ErrorCode CheckWelcomed(FrameType type) =>
        IsWelcomedFrame(type) ? ErrorCode.None
        : IsNodeFrame(type) ? ErrorCode.NotJoined
        : ErrorCode.UnexpectedFrame;

    private static ErrorCode CheckJoined(FrameType type) =>
        type is FrameType.Join or FrameType.StationRegister ? ErrorCode.AlreadyJoined
        : IsWelcomedFrame(type) || IsNodeFrame(type) ? ErrorCode.None
        : ErrorCode.UnexpectedFrame;

    // A station session has no node of its own (a plain SEND is refused 206 by its handler) and is registered once.
    private static ErrorCode CheckStation(FrameType type) =>
        type is FrameType.Join or FrameType.StationRegister ? ErrorCode.AlreadyJoined
        : IsWelcomedFrame(type) || IsStationFrame(type) ? ErrorCode.None
        : ErrorCode.UnexpectedFrame;
}
