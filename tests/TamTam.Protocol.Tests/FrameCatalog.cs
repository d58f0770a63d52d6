using System.Buffers;
using System.Reflection;
using TamTam.Protocol.Frames;

namespace TamTam.Protocol.Tests;

/// <summary>Every frame type with its CLR type, so tests can decode and encode any frame by its type code.</summary>
internal static class FrameCatalog
{
    private static readonly Dictionary<FrameType, Type> Types = new()
    {
        [FrameType.Hello] = typeof(HelloFrame),
        [FrameType.Welcome] = typeof(WelcomeFrame),
        [FrameType.Ping] = typeof(PingFrame),
        [FrameType.Pong] = typeof(PongFrame),
        [FrameType.Error] = typeof(ErrorFrame),
        [FrameType.Ok] = typeof(OkFrame),
        [FrameType.Health] = typeof(HealthFrame),
        [FrameType.HealthReport] = typeof(HealthReportFrame),
        [FrameType.Join] = typeof(JoinFrame),
        [FrameType.Leave] = typeof(LeaveFrame),
        [FrameType.Bind] = typeof(BindFrame),
        [FrameType.Unbind] = typeof(UnbindFrame),
        [FrameType.Send] = typeof(SendFrame),
        [FrameType.Accepted] = typeof(AcceptedFrame),
        [FrameType.Deliver] = typeof(DeliverFrame),
        [FrameType.Ack] = typeof(AckFrame),
        [FrameType.Nack] = typeof(NackFrame),
        [FrameType.Status] = typeof(StatusFrame),
        [FrameType.StatusAck] = typeof(StatusAckFrame),
        [FrameType.Cancel] = typeof(CancelFrame),
        [FrameType.Part] = typeof(PartFrame),
        [FrameType.PartAck] = typeof(PartAckFrame),
        [FrameType.Stream] = typeof(StreamFrame),
        [FrameType.StreamAck] = typeof(StreamAckFrame),
        [FrameType.Nodes] = typeof(NodesFrame),
        [FrameType.NodesReport] = typeof(NodesReportFrame),
        [FrameType.Links] = typeof(LinksFrame),
        [FrameType.LinksReport] = typeof(LinksReportFrame),
        [FrameType.Message] = typeof(MessageFrame),
        [FrameType.MessageReport] = typeof(MessageReportFrame),
        [FrameType.Audit] = typeof(AuditFrame),
        [FrameType.AuditReport] = typeof(AuditReportFrame),
        [FrameType.StationRegister] = typeof(StationRegisterFrame),
        [FrameType.StationOffer] = typeof(StationOfferFrame),
        [FrameType.StationClaim] = typeof(StationClaimFrame),
        [FrameType.StationPass] = typeof(StationPassFrame),
        [FrameType.Routes] = typeof(RoutesFrame),
        [FrameType.RoutesReport] = typeof(RoutesReportFrame),
    };

    private static readonly MethodInfo DecodeMethod = typeof(FrameCodec).GetMethod(nameof(FrameCodec.Decode))!;
    private static readonly MethodInfo EncodeMethod = typeof(FrameCodec).GetMethod(nameof(FrameCodec.ToArray))!;

    public static IReadOnlyDictionary<FrameType, Type> All => Types;

    public static FrameType ByWireName(string name)
    {
        foreach (FrameType type in FrameTypes.All)
        {
            if (type.WireName() == name)
            {
                return type;
            }
        }

        throw new ArgumentException("unknown frame name " + name);
    }

    /// <summary>Decodes any frame, as a gateway's dispatcher would: unknown types are 110.</summary>
    public static object Decode(in Frame frame)
    {
        FrameCodec.EnsureKnownType(frame);
        try
        {
            return DecodeMethod.MakeGenericMethod(Types[frame.Type]).Invoke(null, [frame])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public static byte[] Encode(object frame, uint correlation)
    {
        try
        {
            return (byte[])EncodeMethod.MakeGenericMethod(frame.GetType()).Invoke(null, [frame, correlation])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>Reads every frame in <paramref name="bytes"/> (one contiguous buffer) and decodes it.</summary>
    public static List<(FrameHeader Header, object Frame)> DecodeAll(byte[] bytes, int maxBody = ProtocolLimits.DefaultMaxBody)
    {
        var result = new List<(FrameHeader, object)>();
        var buffer = new ReadOnlySequence<byte>(bytes);
        while (FrameReader.TryReadFrame(ref buffer, maxBody, out Frame frame))
        {
            result.Add((frame.Header, Decode(frame)));
        }

        FrameReader.EnsureNothingPending(buffer);
        return result;
    }
}
