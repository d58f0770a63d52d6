using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>WELCOME (s→c): the session is open; the version, limits and timers in force.</summary>
public readonly record struct WelcomeFrame(
    ushort Version,
    uint MaxBody,
    uint MaxInflight,
    uint HeartbeatMs,
    uint SessionTimeoutMs,
    uint PartSize,
    Guid SessionId,
    ReadOnlyMemory<byte> ResumeToken,
    Utf8Text Server,
    bool Resumed) : IFrame<WelcomeFrame>
{
    public const ushort ResumedFlag = 0x0001;

    public static FrameType Type => FrameType.Welcome;

    public static ushort DefinedFlags => ResumedFlag;

    public static bool HasPayload => false;

    public ushort Flags => Resumed ? ResumedFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength =>
        2 + (5 * 4) + ProtocolLimits.UuidSize + BodyWriter.SizeOfBytes(ResumeToken) + BodyWriter.SizeOfStr8(Server);

    public static WelcomeFrame Read(ref BodyReader reader, ushort flags)
    {
        ushort version = reader.ReadU16("version");
        uint maxBody = reader.ReadU32("max_body");
        if (maxBody is < ProtocolLimits.MinMaxBody or > ProtocolLimits.MaxBodyCeiling)
        {
            throw reader.OutOfRange("max_body", $"must be {ProtocolLimits.MinMaxBody} … {ProtocolLimits.MaxBodyCeiling}, got {maxBody}");
        }

        return new WelcomeFrame(version, maxBody, reader.ReadU32("max_inflight"), reader.ReadU32("heartbeat_ms"),
            reader.ReadU32("session_timeout_ms"), reader.ReadU32("part_size"), reader.ReadUuid("session_id"),
            reader.ReadBytes("resume_token"), reader.ReadStr8("server"), (flags & ResumedFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteU16(Version);
        writer.WriteU32(MaxBody);
        writer.WriteU32(MaxInflight);
        writer.WriteU32(HeartbeatMs);
        writer.WriteU32(SessionTimeoutMs);
        writer.WriteU32(PartSize);
        writer.WriteUuid(SessionId);
        writer.WriteBytes(ResumeToken, "resume_token");
        writer.WriteStr8(Server, "server");
    }
}
