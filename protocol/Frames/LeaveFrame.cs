using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>LEAVE (c→s): the node leaves its link cleanly. Empty body.</summary>
public readonly record struct LeaveFrame : IFrame<LeaveFrame>
{
    public static FrameType Type => FrameType.Leave;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 0;

    public static LeaveFrame Read(ref BodyReader reader, ushort flags) => default;

    public void WriteFields(ref BodyWriter writer)
    {
    }
}
