using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATION_CLAIM (c→s): the station hosts the offered message's destination.</summary>
public readonly record struct StationClaimFrame(Guid MessageId) : IFrame<StationClaimFrame>
{
    public static FrameType Type => FrameType.StationClaim;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize;

    public static StationClaimFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadUuid("message_id"));

    public void WriteFields(ref BodyWriter writer) => writer.WriteUuid(MessageId);
}
