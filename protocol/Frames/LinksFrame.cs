using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>LINKS (c→s): asks for a LINKS_REPORT. Empty body.</summary>
public readonly record struct LinksFrame : IFrame<LinksFrame>
{
    public static FrameType Type => FrameType.Links;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 0;

    public static LinksFrame Read(ref BodyReader reader, ushort flags) => default;

    public void WriteFields(ref BodyWriter writer)
    {
    }
}
