using System.Buffers;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>
/// Encodes a publisher's consecutive STREAM packets to one (link, port) as the frames subscribers will receive,
/// back to back in one buffer, and keeps each packet's correlation for a refusal. The packet's bytes are copied
/// once here; the port grain, the relays and the subscribers' sessions share the buffer.
/// </summary>
internal sealed class StreamBatchBuilder
{
    /// <summary>
    /// Encoded bytes one batch grows to at most (a single larger packet goes alone). Below the large object heap's
    /// threshold: the buffer is one array per batch, and a batch of this size already amortizes a grain call.
    /// </summary>
    public const int MaxBatchBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _frames;
    private uint _firstCorrelation;

    // Made only once a packet's correlation differs from the first: a client usually gives all its STREAMs one.
    private List<uint>? _correlations;
    private int _largestBody;

    public StreamBatchBuilder(string link, string port, bool subtree, int capacity)
    {
        Link = Utf8Text.From(link);
        Port = Utf8Text.From(port);
        Subtree = subtree;
        Key = StreamNames.Key(link, port, subtree);
        SequenceOffset = StreamFrame.SequenceOffset(Link, Port);
        _frames = new ArrayBufferWriter<byte>(Math.Clamp(capacity, 256, MaxBatchBytes));
    }

    public string Key { get; }

    public Utf8Text Link { get; }

    public Utf8Text Port { get; }

    /// <summary>The packets are addressed to the port's subtree (SUBTREE), a stream of its own.</summary>
    public bool Subtree { get; }

    public int SequenceOffset { get; }

    /// <summary>The station whose session publishes the packets, or null (<see cref="StreamBatch.Station"/>).</summary>
    public string? Station { get; init; }

    public int Count { get; private set; }

    public int Bytes => _frames.WrittenCount;

    /// <summary>The correlation of the packet at <paramref name="index"/>, for its ERROR when the batch is refused.</summary>
    public uint CorrelationOf(int index) => _correlations is null ? _firstCorrelation : _correlations[index];

    /// <summary>Whether a packet to <paramref name="link"/> and <paramref name="port"/> (its <paramref name="subtree"/>) of <paramref name="bytes"/> encoded bytes belongs here.</summary>
    public bool Takes(ReadOnlySpan<byte> link, ReadOnlySpan<byte> port, bool subtree, int bytes) =>
        _frames.WrittenCount + bytes <= MaxBatchBytes && subtree == Subtree && port.SequenceEqual(Port.Utf8.Span) && link.SequenceEqual(Link.Utf8.Span);

    /// <summary>Encodes one packet as delivered: this batch's link, port and SUBTREE, <paramref name="ttl"/>, sequence 0 until numbered.</summary>
    public void Add(uint correlation, in StreamFrame frame, byte ttl)
    {
        var delivered = new StreamFrame(frame.PacketId, Link, Port, ttl, 0, frame.WantAck, Subtree, frame.Payload);
        int body = (int)(delivered.FieldsLength + frame.Payload.Length);
        FrameCodec.Encode(_frames, delivered);
        _largestBody = Math.Max(_largestBody, body);
        if (Count == 0)
        {
            _firstCorrelation = correlation;
        }
        else if (_correlations is not null || correlation != _firstCorrelation)
        {
            _correlations ??= [.. Enumerable.Repeat(_firstCorrelation, Count)];
            _correlations.Add(correlation);
        }

        Count++;
    }

    public StreamBatch Build() => new(Key, Count, _frames.WrittenMemory, SequenceOffset, _largestBody) { Station = Station };
}
