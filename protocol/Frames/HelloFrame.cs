using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>HELLO (c→s): opens a session, names the versions and limits the client speaks.</summary>
public readonly record struct HelloFrame(
    ushort MinVersion,
    ushort MaxVersion,
    uint MaxBody,
    uint HeartbeatMs,
    Utf8Text Client,
    ReadOnlyMemory<byte> AuthToken,
    ReadOnlyMemory<byte> ResumeToken) : IFrame<HelloFrame>
{
    public static FrameType Type => FrameType.Hello;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength =>
        2 + 2 + 4 + 4 + BodyWriter.SizeOfStr8(Client) + BodyWriter.SizeOfBytes(AuthToken) + BodyWriter.SizeOfBytes(ResumeToken);

    public static HelloFrame Read(ref BodyReader reader, ushort flags)
    {
        ushort min = reader.ReadU16("min_version");
        if (min < 1)
        {
            throw reader.OutOfRange("min_version", "must be at least 1");
        }

        ushort max = reader.ReadU16("max_version");
        if (max < min)
        {
            throw reader.OutOfRange("max_version", $"{max} is below min_version {min}");
        }

        uint maxBody = reader.ReadU32("max_body");
        if (maxBody != 0 && maxBody is < ProtocolLimits.MinMaxBody or > ProtocolLimits.MaxBodyCeiling)
        {
            throw reader.OutOfRange("max_body", $"must be 0 or {ProtocolLimits.MinMaxBody} … {ProtocolLimits.MaxBodyCeiling}, got {maxBody}");
        }

        return new HelloFrame(min, max, maxBody, reader.ReadU32("heartbeat_ms"), reader.ReadStr8("client"),
            reader.ReadBytes("auth_token"), reader.ReadBytes("resume_token"));
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteU16(MinVersion);
        writer.WriteU16(MaxVersion);
        writer.WriteU32(MaxBody);
        writer.WriteU32(HeartbeatMs);
        writer.WriteStr8(Client, "client");
        writer.WriteBytes(AuthToken, "auth_token");
        writer.WriteBytes(ResumeToken, "resume_token");
    }
}
