using System.Buffers;
using TamTam.Protocol;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>A frame the client sent, with its own copy of the body.</summary>
internal sealed record ReceivedFrame(FrameHeader Header, byte[] Body)
{
    public T Decode<T>()
        where T : struct, IFrame<T> => FrameCodec.Decode<T>(new Frame(Header, new ReadOnlySequence<byte>(Body)));
}
