using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Checks every field of a frame a client may send without acting on it, so a frame that is refused or not
/// served is still answered with the first rule it breaks (111–115) before the refusal.
/// </summary>
internal static class FrameValidator
{
    /// <exception cref="ProtocolException">A frame error, 111–115.</exception>
    public static void Validate(in Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Hello: _ = frame.Decode<HelloFrame>(); break;
            case FrameType.Ping: _ = frame.Decode<PingFrame>(); break;
            case FrameType.Pong: _ = frame.Decode<PongFrame>(); break;
            case FrameType.Error: _ = frame.Decode<ErrorFrame>(); break;
            case FrameType.Health: _ = frame.Decode<HealthFrame>(); break;
            case FrameType.Join: _ = frame.Decode<JoinFrame>(); break;
            case FrameType.Leave: _ = frame.Decode<LeaveFrame>(); break;
            case FrameType.Bind: _ = frame.Decode<BindFrame>(); break;
            case FrameType.Unbind: _ = frame.Decode<UnbindFrame>(); break;
            case FrameType.Send: _ = frame.Decode<SendFrame>(); break;
            case FrameType.Ack: _ = frame.Decode<AckFrame>(); break;
            case FrameType.Nack: _ = frame.Decode<NackFrame>(); break;
            case FrameType.StatusAck: _ = frame.Decode<StatusAckFrame>(); break;
            case FrameType.Part: _ = frame.Decode<PartFrame>(); break;
            case FrameType.PartAck: _ = frame.Decode<PartAckFrame>(); break;
            case FrameType.Stream: _ = frame.Decode<StreamFrame>(); break;
            case FrameType.StreamAck: _ = frame.Decode<StreamAckFrame>(); break;
            case FrameType.Nodes: _ = frame.Decode<NodesFrame>(); break;
            case FrameType.Links: _ = frame.Decode<LinksFrame>(); break;
            case FrameType.StationRegister: _ = frame.Decode<StationRegisterFrame>(); break;
            case FrameType.StationClaim: _ = frame.Decode<StationClaimFrame>(); break;
            case FrameType.StationPass: _ = frame.Decode<StationPassFrame>(); break;
            case FrameType.Routes: _ = frame.Decode<RoutesFrame>(); break;

            // Server-to-client frames are refused by direction before their fields matter.
            default: break;
        }
    }
}
