using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>BIND (c→s): binds a port (or, with <see cref="Subtree"/>, a port subtree) in a mode.</summary>
public readonly record struct BindFrame(PortMode Mode, Utf8Text Port, bool Subtree) : IFrame<BindFrame>
{
    public const ushort SubtreeFlag = 0x0001;

    public static FrameType Type => FrameType.Bind;

    public static ushort DefinedFlags => SubtreeFlag;

    public static bool HasPayload => false;

    public ushort Flags => Subtree ? SubtreeFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 1 + BodyWriter.SizeOfStr8(Port);

    public static BindFrame Read(ref BodyReader reader, ushort flags)
    {
        byte mode = reader.ReadU8("mode");
        if (mode is < (byte)PortMode.Unicast or > (byte)PortMode.Broadcast)
        {
            throw reader.OutOfRange("mode", $"must be 1, 2 or 3, got {mode}");
        }

        return new BindFrame((PortMode)mode, reader.ReadPort("port"), (flags & SubtreeFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteU8((byte)Mode);
        writer.WritePort(Port, "port");
    }
}
