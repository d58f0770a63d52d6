using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>UNBIND (c→s): removes a binding made by BIND.</summary>
public readonly record struct UnbindFrame(Utf8Text Port, bool Subtree) : IFrame<UnbindFrame>
{
    public const ushort SubtreeFlag = 0x0001;

    public static FrameType Type => FrameType.Unbind;

    public static ushort DefinedFlags => SubtreeFlag;

    public static bool HasPayload => false;

    public ushort Flags => Subtree ? SubtreeFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => BodyWriter.SizeOfStr8(Port);

    public static UnbindFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadPort("port"), (flags & SubtreeFlag) != 0);

    public void WriteFields(ref BodyWriter writer) => writer.WritePort(Port, "port");
}
