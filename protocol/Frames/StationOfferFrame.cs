using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATION_OFFER (s→c): a ring-forwarded message's descriptor, for the station to claim or pass on.</summary>
public readonly record struct StationOfferFrame(Guid MessageId, Utf8Text SrcLink, Utf8Text DestLink, Utf8Text DestPort, byte Ttl, ulong Size)
    : IFrame<StationOfferFrame>
{
    public static FrameType Type => FrameType.StationOffer;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength =>
        ProtocolLimits.UuidSize + BodyWriter.SizeOfStr8(SrcLink) + BodyWriter.SizeOfStr8(DestLink) + BodyWriter.SizeOfStr8(DestPort) + 1 + 8;

    public static StationOfferFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadUuid("message_id"), reader.ReadName("src_link"), reader.ReadName("dest_link"), reader.ReadPort("dest_port"),
            reader.ReadU8("ttl"), reader.ReadU64("size"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(MessageId);
        writer.WriteName(SrcLink, "src_link");
        writer.WriteName(DestLink, "dest_link");
        writer.WritePort(DestPort, "dest_port");
        writer.WriteU8(Ttl);
        writer.WriteU64(Size);
    }
}
