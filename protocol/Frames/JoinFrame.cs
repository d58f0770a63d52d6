using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>JOIN (c→s): registers the session as node <see cref="Node"/> of link <see cref="Link"/>.</summary>
public readonly record struct JoinFrame(Utf8Text Link, Utf8Text Node) : IFrame<JoinFrame>
{
    public static FrameType Type => FrameType.Join;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => BodyWriter.SizeOfStr8(Link) + BodyWriter.SizeOfStr8(Node);

    public static JoinFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadName("link"), reader.ReadName("node"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteName(Link, "link");
        writer.WriteName(Node, "node");
    }
}
