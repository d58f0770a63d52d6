using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>NODES (c→s): asks for the nodes of a link (empty = the own link).</summary>
public readonly record struct NodesFrame(Utf8Text Link) : IFrame<NodesFrame>
{
    public static FrameType Type => FrameType.Nodes;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => BodyWriter.SizeOfStr8(Link);

    public static NodesFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadOptionalLink("link"));

    public void WriteFields(ref BodyWriter writer) => writer.WriteOptionalLink(Link, "link");
}
