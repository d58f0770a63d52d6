namespace TamTam.Protocol;

/// <summary>Facts about frame types: whether a code is defined and its name in docs/protocol.md.</summary>
public static class FrameTypes
{
    /// <summary>Every frame type of protocol v1, in type-code order.</summary>
    public static ReadOnlySpan<FrameType> All =>
    [
        FrameType.Hello, FrameType.Welcome, FrameType.Ping, FrameType.Pong, FrameType.Error, FrameType.Ok,
        FrameType.Health, FrameType.HealthReport, FrameType.Join, FrameType.Leave, FrameType.Bind,
        FrameType.Unbind, FrameType.Send, FrameType.Accepted, FrameType.Deliver, FrameType.Ack, FrameType.Nack,
        FrameType.Status, FrameType.StatusAck, FrameType.Cancel, FrameType.Part, FrameType.PartAck, FrameType.Stream,
        FrameType.StreamAck, FrameType.Nodes, FrameType.NodesReport, FrameType.Links, FrameType.LinksReport,
        FrameType.Message, FrameType.MessageReport, FrameType.Audit, FrameType.AuditReport,
        FrameType.StationRegister, FrameType.StationOffer, FrameType.StationClaim, FrameType.StationPass,
        FrameType.Routes, FrameType.RoutesReport,
    ];

    /// <summary>True when <paramref name="code"/> is a frame type of protocol v1.</summary>
    public static bool IsDefined(byte code) => code switch
    {
        >= 0x01 and <= 0x08 => true,
        >= 0x10 and <= 0x13 => true,
        >= 0x20 and <= 0x27 => true,
        0x30 or 0x31 or 0x38 or 0x39 => true,
        >= 0x40 and <= 0x47 => true,
        >= 0x50 and <= 0x55 => true,
        _ => false,
    };

    /// <summary>Who may send <paramref name="type"/>; a frame received against its direction is 116.</summary>
    public static FrameDirection DirectionOf(this FrameType type) => type switch
    {
        FrameType.Ping or FrameType.Pong or FrameType.Error or FrameType.Part or FrameType.PartAck or FrameType.Stream => FrameDirection.Both,
        FrameType.Welcome or FrameType.Ok or FrameType.HealthReport or FrameType.Accepted or FrameType.Deliver => FrameDirection.ServerToClient,
        FrameType.Status or FrameType.NodesReport or FrameType.LinksReport or FrameType.StationOffer => FrameDirection.ServerToClient,
        FrameType.MessageReport or FrameType.AuditReport or FrameType.RoutesReport => FrameDirection.ServerToClient,
        _ => FrameDirection.ClientToServer,
    };

    /// <summary>The frame type's name as the specification writes it, e.g. <c>STATUS_ACK</c>.</summary>
    public static string WireName(this FrameType type) => type switch
    {
        FrameType.Hello => "HELLO",
        FrameType.Welcome => "WELCOME",
        FrameType.Ping => "PING",
        FrameType.Pong => "PONG",
        FrameType.Error => "ERROR",
        FrameType.Ok => "OK",
        FrameType.Health => "HEALTH",
        FrameType.HealthReport => "HEALTH_REPORT",
        FrameType.Join => "JOIN",
        FrameType.Leave => "LEAVE",
        FrameType.Bind => "BIND",
        FrameType.Unbind => "UNBIND",
        FrameType.Send => "SEND",
        FrameType.Accepted => "ACCEPTED",
        FrameType.Deliver => "DELIVER",
        FrameType.Ack => "ACK",
        FrameType.Nack => "NACK",
        FrameType.Status => "STATUS",
        FrameType.StatusAck => "STATUS_ACK",
        FrameType.Cancel => "CANCEL",
        FrameType.Part => "PART",
        FrameType.PartAck => "PART_ACK",
        FrameType.Stream => "STREAM",
        FrameType.StreamAck => "STREAM_ACK",
        FrameType.Nodes => "NODES",
        FrameType.NodesReport => "NODES_REPORT",
        FrameType.Links => "LINKS",
        FrameType.LinksReport => "LINKS_REPORT",
        FrameType.Message => "MESSAGE",
        FrameType.MessageReport => "MESSAGE_REPORT",
        FrameType.Audit => "AUDIT",
        FrameType.AuditReport => "AUDIT_REPORT",
        FrameType.StationRegister => "STATION_REGISTER",
        FrameType.StationOffer => "STATION_OFFER",
        FrameType.StationClaim => "STATION_CLAIM",
        FrameType.StationPass => "STATION_PASS",
        FrameType.Routes => "ROUTES",
        FrameType.RoutesReport => "ROUTES_REPORT",
        _ => $"0x{(byte)type:x2}",
    };
}
