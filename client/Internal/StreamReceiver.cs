using System.Buffers;
using System.Threading.Channels;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// The receiving half of streaming mode, on the read loop: numbers losses from sequence gaps per (link, port),
/// answers STREAM_ACK when the sender asked, and hands packets to a bounded buffer. Streaming mode allows
/// losses, so a full buffer does not stop the read loop (that would hold up the replies and deliveries behind
/// the packets): the packet is dropped and counted, and the next packet handed over reports the gap.
/// </summary>
internal sealed class StreamReceiver
{
    /// <summary>The correlation every STREAM this client sends carries: the server's ERROR about one carries it back.</summary>
    public const uint Correlation = uint.MaxValue;

    private readonly Utf8StringCache _names = new();
    private readonly Channel<StreamPacket> _packets;
    private readonly Dictionary<(string Link, string Port), ulong> _lastHandedOver = [];

    // The (link, port) of the previous packet and its last sequence handed over: packets come in runs of one port,
    // so most find their names and sequence here instead of hashing both names twice.
    private byte[] _runLink = [];
    private byte[] _runPort = [];
    private (string Link, string Port) _run;
    private ulong _runLast;
    private bool _runHandedOver;
    private long _lost;
    private long _dropped;
    private long _refused;
    private TamTamException? _lastRefusal;

    public StreamReceiver(int capacity)
    {
        Capacity = capacity;
        _packets = Channel.CreateBounded<StreamPacket>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
    }

    public int Capacity { get; }

    /// <summary>The current connection's writer, for STREAM_ACK; the client sets it on each (re)connection.</summary>
    public FrameWriter? Writer { get; set; }

    public ChannelReader<StreamPacket> Packets => _packets.Reader;

    public long Lost => Interlocked.Read(ref _lost);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Refused => Interlocked.Read(ref _refused);

    public TamTamException? LastRefusal => Volatile.Read(ref _lastRefusal);

    public void OnStream(in StreamFrame frame)
    {
        EnterRun(frame.Link.Utf8.Span, frame.Port.Utf8.Span);
        long lostBefore = 0;
        if (_runHandedOver && frame.StreamSequence > _runLast)
        {
            lostBefore = (long)(frame.StreamSequence - _runLast - 1);
        }

        byte[] payload = frame.Payload.IsEmpty ? [] : frame.Payload.ToArray();
        var packet = new StreamPacket(frame.PacketId, _run.Link, _run.Port, frame.StreamSequence, frame.Ttl, frame.WantAck, lostBefore, payload);
        if (!_packets.Writer.TryWrite(packet))
        {
            // The application is Capacity packets behind: this one is lost here, and the next shows the gap.
            Interlocked.Increment(ref _dropped);
            return;
        }

        _runLast = frame.StreamSequence;
        _runHandedOver = true;
        if (lostBefore > 0)
        {
            Interlocked.Add(ref _lost, lostBefore);
        }

        if (frame.WantAck)
        {
            Writer?.Write(new StreamAckFrame(frame.PacketId, frame.StreamSequence), 0);
        }
    }

    /// <summary>Makes (<paramref name="link"/>, <paramref name="port"/>) the current run, keeping the last one's sequence.</summary>
    private void EnterRun(ReadOnlySpan<byte> link, ReadOnlySpan<byte> port)
    {
        if (port.SequenceEqual(_runPort) && link.SequenceEqual(_runLink))
        {
            return;
        }

        if (_runHandedOver)
        {
            _lastHandedOver[_run] = _runLast;
        }

        _run = (_names.Get(link), _names.Get(port));
        _runLink = link.ToArray();
        _runPort = port.ToArray();
        _runHandedOver = _lastHandedOver.TryGetValue(_run, out _runLast);
    }

    /// <summary>The server refused a STREAM this client sent (302 queue full, 305 TTL, 203, 501…).</summary>
    public void OnRefused(ErrorCode code, string detail)
    {
        Interlocked.Increment(ref _refused);
        Volatile.Write(ref _lastRefusal, new TamTamException(code, detail));
    }

    public void Complete(Exception? failure) => _packets.Writer.TryComplete(failure);
}
