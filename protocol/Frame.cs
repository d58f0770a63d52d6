using System.Buffers;

namespace TamTam.Protocol;

/// <summary>
/// One framed unit read off the wire: its header and its body, still undecoded. The body is a slice of
/// the reader's buffer and is valid only until that buffer is advanced.
/// </summary>
public readonly struct Frame
{
    public Frame(FrameHeader header, ReadOnlySequence<byte> body)
    {
        Header = header;
        Body = body;
    }

    public FrameHeader Header { get; }

    public ReadOnlySequence<byte> Body { get; }

    public FrameType Type => Header.Type;

    public uint Correlation => Header.Correlation;

    /// <summary>Decodes the body as <typeparamref name="T"/>; see <see cref="FrameCodec.Decode{T}(in Frame)"/>.</summary>
    public T Decode<T>()
        where T : struct, IFrame<T> => FrameCodec.Decode<T>(this);
}
