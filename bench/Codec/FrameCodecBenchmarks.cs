using System.Buffers;
using BenchmarkDotNet.Attributes;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Bench.Codec;

/// <summary>
/// Encode and decode of the two hot frames with a 256-byte payload, the W1 message size. Names are
/// encoded once up front, as a session keeps them; the output buffer is reused, as a pipe's is.
/// </summary>
[MemoryDiagnoser]
public class FrameCodecBenchmarks
{
    private const int PayloadSize = 256;

    private readonly ArrayBufferWriter<byte> _output = new(4_096);
    private SendFrame _send;
    private DeliverFrame _deliver;
    private ReadOnlySequence<byte> _sendBytes;
    private ReadOnlySequence<byte> _deliverBytes;

    [GlobalSetup]
    public void Setup()
    {
        var payload = new ReadOnlySequence<byte>(new byte[PayloadSize]);
        var id = Guid.NewGuid();
        _send = new SendFrame(id, Utf8Text.Name("billing"), Utf8Text.Port("orders/eu/new"), 30_000, false, null, null, payload);
        _deliver = new DeliverFrame(id, 123_456, 789, Utf8Text.Name("shop"), Utf8Text.Name("web-1"), Utf8Text.Name("billing"),
            Utf8Text.Port("orders/eu/new"), 1, 1_795_400_000_000_000, false, null, payload);
        _sendBytes = new ReadOnlySequence<byte>(FrameCodec.ToArray(_send, 7));
        _deliverBytes = new ReadOnlySequence<byte>(FrameCodec.ToArray(_deliver, 0));
    }

    [Benchmark]
    public long EncodeSend()
    {
        _output.ResetWrittenCount();
        return FrameCodec.Encode(_output, _send, 7);
    }

    [Benchmark]
    public long DecodeSend() => Decode<SendFrame>(_sendBytes).Payload.Length;

    [Benchmark]
    public long EncodeAndDecodeSend()
    {
        _output.ResetWrittenCount();
        FrameCodec.Encode(_output, _send, 7);
        return Decode<SendFrame>(new ReadOnlySequence<byte>(_output.WrittenMemory)).Payload.Length;
    }

    [Benchmark]
    public long EncodeDeliver()
    {
        _output.ResetWrittenCount();
        return FrameCodec.Encode(_output, _deliver, 0);
    }

    [Benchmark]
    public long DecodeDeliver() => Decode<DeliverFrame>(_deliverBytes).Payload.Length;

    [Benchmark]
    public long EncodeAndDecodeDeliver()
    {
        _output.ResetWrittenCount();
        FrameCodec.Encode(_output, _deliver, 0);
        return Decode<DeliverFrame>(new ReadOnlySequence<byte>(_output.WrittenMemory)).Payload.Length;
    }

    private static T Decode<T>(ReadOnlySequence<byte> bytes)
        where T : struct, IFrame<T>
    {
        if (!FrameReader.TryReadFrame(ref bytes, ProtocolLimits.DefaultMaxBody, out Frame frame))
        {
            throw new InvalidOperationException("incomplete frame");
        }

        return FrameCodec.Decode<T>(frame);
    }
}
