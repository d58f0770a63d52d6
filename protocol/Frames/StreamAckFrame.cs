using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STREAM_ACK (c→s): a receiver confirms a STREAM packet that asked for it.</summary>
public readonly record struct StreamAckFrame(Guid PacketId, ulong StreamSequence) : IFrame<StreamAckFrame>
{
    public static FrameType Type => FrameType.StreamAck;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => ProtocolLimits.UuidSize + 8;

    public static StreamAckFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadUuid("packet_id"), reader.ReadU64("stream_sequence"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(PacketId);
        writer.WriteU64(StreamSequence);
    }
}
