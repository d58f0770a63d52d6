using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATION_PASS (c→s): the station does not host the offered message; pass it on with one pass fewer.</summary>
public readonly record struct StationPassFrame(Guid MessageId, byte Ttl) : IFrame<StationPassFrame>
{
    public static FrameType Type => FrameType.StationPass;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 1;

    public static StationPassFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadUuid("message_id"), reader.ReadU8("ttl"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteU8(Ttl);
    }
}
