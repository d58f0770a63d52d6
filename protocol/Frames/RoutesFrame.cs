using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>ROUTES (c→s): asks for a ROUTES_REPORT, the interchange's known routes. Empty body.</summary>
public readonly record struct RoutesFrame : IFrame<RoutesFrame>
{
    public static FrameType Type => FrameType.Routes;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 0;

    public static RoutesFrame Read(ref BodyReader reader, ushort flags) => default;

    public void WriteFields(ref BodyWriter writer)
    {
    }
}
