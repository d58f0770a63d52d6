using System.Buffers;

namespace TamTam.Protocol.Tests;

/// <summary>A valid stream of frames decodes the same however the transport cuts it.</summary>
public sealed class FrameSplitTests
{
    [Fact]
    public void Every_frame_type_round_trips_through_the_codec()
    {
        foreach (object frame in SampleFrames.All())
        {
            byte[] bytes = FrameCatalog.Encode(frame, 5);

            (FrameHeader header, object decoded) = Assert.Single(FrameCatalog.DecodeAll(bytes));

            Assert.Equal(5u, header.Correlation);
            Assert.Equal(FrameJson.ToFields(frame).ToJsonString(), FrameJson.ToFields(decoded).ToJsonString());
            Assert.Equal(bytes, FrameCatalog.Encode(decoded, 5));
        }
    }

    [Fact]
    public void Stream_split_at_every_byte_offset_decodes_identically()
    {
        byte[] stream = SampleFrames.Stream();
        string expected = Describe(FrameCatalog.DecodeAll(stream));

        for (int cut = 1; cut < stream.Length; cut++)
        {
            Assert.Equal(expected, DecodeIncrementally(stream, [cut]));
        }
    }

    [Fact]
    public void Stream_delivered_one_byte_at_a_time_decodes_identically()
    {
        byte[] stream = SampleFrames.Stream();
        string expected = Describe(FrameCatalog.DecodeAll(stream));

        Assert.Equal(expected, DecodeIncrementally(stream, Enumerable.Range(1, stream.Length - 1).ToArray()));
    }

    // Feeds the stream as a reader sees a pipe: growing multi-segment buffers, cut where the transport cut it.
    private static string DecodeIncrementally(byte[] stream, int[] cuts)
    {
        var decoded = new List<(FrameHeader, object)>();
        int consumed = 0;
        int available = 0;
        foreach (int arrival in cuts.Append(stream.Length))
        {
            available = arrival;
            ReadOnlySequence<byte> buffer = SequenceSegments.Cut(stream[consumed..available], RelativeCuts(cuts, consumed, available));
            while (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.DefaultMaxBody, out Frame frame))
            {
                decoded.Add((frame.Header, FrameCatalog.Decode(frame)));
            }

            consumed = available - (int)buffer.Length;
        }

        Assert.Equal(stream.Length, consumed);
        return Describe(decoded);
    }

    private static int[] RelativeCuts(int[] cuts, int from, int to) =>
        cuts.Where(c => c > from && c < to).Select(c => c - from).ToArray();

    private static string Describe(List<(FrameHeader Header, object Frame)> frames) =>
        string.Join('\n', frames.Select(f => $"{f.Header} {FrameJson.ToFields(f.Frame).ToJsonString()}"));
}
