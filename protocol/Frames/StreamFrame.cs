using System.Buffers;
using System.Buffers.Binary;

namespace TamTam.Protocol.Frames;

/// <summary>
/// STREAM (both): a broadcast-style packet that lives for <see cref="Ttl"/> interchange passes; never
/// redelivered, acknowledged only when <see cref="WantAck"/> asks for it.
/// </summary>
public readonly record struct StreamFrame(
    Guid PacketId,
    Utf8Text Link,
    Utf8Text Port,
    byte Ttl,
    ulong StreamSequence,
    bool WantAck,
    bool Subtree,
    ReadOnlySequence<byte> Payload) : IFrame<StreamFrame>
{
    public const ushort WantAckFlag = 0x0001;
    public const ushort SubtreeFlag = 0x0002;

    public static FrameType Type => FrameType.Stream;

    public static ushort DefinedFlags => WantAckFlag | SubtreeFlag;

    public static bool HasPayload => true;

    public ushort Flags => (ushort)((WantAck ? WantAckFlag : 0) | (Subtree ? SubtreeFlag : 0));

    public int FieldsLength => ProtocolLimits.UuidSize + BodyWriter.SizeOfStr8(Link) + BodyWriter.SizeOfStr8(Port) + 1 + 8;

    /// <summary>
    /// Where stream_sequence lies in an encoded STREAM frame to <paramref name="link"/> and <paramref name="port"/>,
    /// counted from the frame's first header byte.
    /// </summary>
    public static int SequenceOffset(Utf8Text link, Utf8Text port) =>
        ProtocolLimits.HeaderSize + ProtocolLimits.UuidSize + BodyWriter.SizeOfStr8(link) + BodyWriter.SizeOfStr8(port) + 1;

    /// <summary>
    /// Numbers <paramref name="count"/> encoded STREAM frames that lie back to back in <paramref name="frames"/> and
    /// share one link and port (so one <paramref name="sequenceOffset"/>): <paramref name="first"/>, then one more each.
    /// </summary>
    public static void WriteSequences(Span<byte> frames, int count, int sequenceOffset, ulong first)
    {
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frames[(position + sequenceOffset)..], first + (ulong)i);
            position += ProtocolLimits.HeaderSize + FrameHeader.ReadBodyLength(frames[position..]);
        }
    }

    public static StreamFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("packet_id");
        Utf8Text link = reader.ReadOptionalLink("link");
        Utf8Text port = reader.ReadPort("port");
        byte ttl = reader.ReadU8("ttl");
        if (ttl == 0)
        {
            throw reader.OutOfRange("ttl", "must be at least 1");
        }

        return new StreamFrame(id, link, port, ttl, reader.ReadU64("stream_sequence"), (flags & WantAckFlag) != 0,
            (flags & SubtreeFlag) != 0, reader.ReadPayload());
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUuid(PacketId);
        writer.WriteOptionalLink(Link, "link");
        writer.WritePort(Port, "port");
        writer.WriteU8(Ttl);
        writer.WriteU64(StreamSequence);
    }
}
