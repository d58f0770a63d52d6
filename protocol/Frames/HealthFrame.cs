using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>HEALTH (c→s): asks for a HEALTH_REPORT. Empty body.</summary>
public readonly record struct HealthFrame : IFrame<HealthFrame>
{
    public static FrameType Type => FrameType.Health;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 0;

    public static HealthFrame Read(ref BodyReader reader, ushort flags) => default;

    public void WriteFields(ref BodyWriter writer)
    {
    }
}
