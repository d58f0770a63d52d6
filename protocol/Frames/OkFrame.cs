using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>OK (s→c): the request with the same correlation succeeded. Empty body.</summary>
public readonly record struct OkFrame : IFrame<OkFrame>
{
    public static FrameType Type => FrameType.Ok;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 0;

    public static OkFrame Read(ref BodyReader reader, ushort flags) => default;

    public void WriteFields(ref BodyWriter writer)
    {
    }
}
