using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>MESSAGE (c→s): asks for one message's descriptor by id (docs/protocol.md, section 5.19).</summary>
public readonly record struct MessageFrame(Utf8Text Link, Guid MessageId) : IFrame<MessageFrame>
{
    public static FrameType Type => FrameType.Message;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => BodyWriter.SizeOfStr8(Link) + ProtocolLimits.UuidSize;

    public static MessageFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadOptionalLink("link"), reader.ReadUuid("message_id"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteOptionalLink(Link, "link");
        writer.WriteUuid(MessageId);
    }
}
