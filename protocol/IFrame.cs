using System.Buffers;

namespace TamTam.Protocol;

/// <summary>
/// A frame type's codec: how its fields are read and written. Implemented by the structs in
/// <c>Frames/</c>; used through <see cref="FrameCodec"/>.
/// </summary>
public interface IFrame<TSelf>
    where TSelf : struct, IFrame<TSelf>
{
    /// <summary>The header type code.</summary>
    static abstract FrameType Type { get; }

    /// <summary>Flag bits the type defines; any other set bit is error 115.</summary>
    static abstract ushort DefinedFlags { get; }

    /// <summary>True when the body ends with a <c>payload</c>.</summary>
    static abstract bool HasPayload { get; }

    /// <summary>Reads the fields in order (the payload too, when the type has one).</summary>
    static abstract TSelf Read(ref BodyReader reader, ushort flags);

    /// <summary>The header flags this value encodes to.</summary>
    ushort Flags { get; }

    /// <summary>Size in bytes of every field before the payload.</summary>
    int FieldsLength { get; }

    /// <summary>The payload, empty for types without one.</summary>
    ReadOnlySequence<byte> Payload { get; }

    /// <summary>Writes every field before the payload; exactly <see cref="FieldsLength"/> bytes.</summary>
    void WriteFields(ref BodyWriter writer);
}
