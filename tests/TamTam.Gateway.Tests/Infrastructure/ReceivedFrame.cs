using System.Buffers;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>A frame a test client read, with its body copied out of the socket buffer.</summary>
internal sealed record ReceivedFrame(FrameHeader Header, byte[] Body)
{
    public FrameType Type => Header.Type;

    public uint Correlation => Header.Correlation;

    public T Decode<T>()
        where T : struct, IFrame<T> =>
        new Frame(Header, new ReadOnlySequence<byte>(Body)).Decode<T>();

    public override string ToString() => $"{Type.WireName()} corr={Correlation} flags=0x{Header.Flags:x4} body={Body.Length}";
}
