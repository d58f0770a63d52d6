using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// The receiving half of streaming mode, on the read loop: numbers losses from sequence gaps per stream (link, port, SUBTREE),
/// answers STREAM_ACK when the sender asked, and hands packets to a bounded buffer. Streaming mode allows
/// losses, so a full buffer does not stop the read loop (that would hold up the replies and deliveries behind
/// the packets): the packet is dropped and counted, and the next packet handed over reports the gap.
/// </summary>
/// <remarks>
/// Packets are handed over once per socket read, as one array, not one by one: a channel write takes a lock that
/// the application's reader contends for, and per packet that lock was the largest cost of a fanout's receivers.
/// </remarks>
internal sealed class StreamReceiver
{
    /// <summary>The correlation every STREAM this client sends carries: the server's ERROR about one carries it back.</summary>
    public const uint Correlation = uint.MaxValue;

    /// <summary>Payload bytes that may wait for the application, whatever the packet capacity: the bound large packets reach first.</summary>
    public const long MaxWaitingBytes = 32L * 1024 * 1024;

    private readonly Utf8StringCache _names = new();
    private readonly Channel<StreamPacket[]> _batches = Channel.CreateUnbounded<StreamPacket[]>(new UnboundedChannelOptions { SingleWriter = true });

    // What a reader that stopped midway left of its batch, for the next reader: older than anything in the channel.
    private readonly ConcurrentQueue<ArraySegment<StreamPacket>> _leftovers = new();
    private readonly List<StreamPacket> _pending = [];
    private readonly Dictionary<(string Link, string Port, bool Subtree), ulong> _lastHandedOver = [];

    // The stream of the previous packet and its last sequence handed over: packets come in runs of one stream,
    // so most find their names and sequence here instead of hashing both names twice.
    private byte[] _runLink = [];
    private byte[] _runPort = [];
    private (string Link, string Port, bool Subtree) _run;
    private ulong _runLast;
    private bool _runHandedOver;
    private long _waiting;
    private long _waitingBytes;
    private long _pendingBytes;
    private long _lost;
    private long _dropped;
    private long _refused;
    private TamTamException? _lastRefusal;

    public StreamReceiver(int capacity)
    {
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>The current connection's writer, for STREAM_ACK; the client sets it on each (re)connection.</summary>
    public FrameWriter? Writer { get; set; }

    public long Lost => Interlocked.Read(ref _lost);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Refused => Interlocked.Read(ref _refused);

    public TamTamException? LastRefusal => Volatile.Read(ref _lastRefusal);

    public void OnStream(in StreamFrame frame)
    {
        EnterRun(frame.Link.Utf8.Span, frame.Port.Utf8.Span, frame.Subtree);
        long lostBefore = 0;
        if (_runHandedOver && frame.StreamSequence > _runLast)
        {
            lostBefore = (long)(frame.StreamSequence - _runLast - 1);
        }

        long held = Interlocked.Read(ref _waiting) + _pending.Count;
        long heldBytes = Interlocked.Read(ref _waitingBytes) + _pendingBytes;
        if (held >= Capacity || (held > 0 && heldBytes + frame.Payload.Length > MaxWaitingBytes))
        {
            // The application is Capacity packets behind: this one is lost here, and the next shows the gap.
            Interlocked.Increment(ref _dropped);
            return;
        }

        byte[] payload = frame.Payload.IsEmpty ? [] : frame.Payload.ToArray();
        _pendingBytes += payload.Length;
        _pending.Add(new StreamPacket(frame.PacketId, _run.Link, _run.Port, _run.Subtree, frame.StreamSequence, frame.Ttl, frame.WantAck, lostBefore, payload));

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

    /// <summary>Makes the stream (<paramref name="link"/>, <paramref name="port"/>, <paramref name="subtree"/>) the current run, keeping the last one's sequence.</summary>
    private void EnterRun(ReadOnlySpan<byte> link, ReadOnlySpan<byte> port, bool subtree)
    {
        if (subtree == _run.Subtree && port.SequenceEqual(_runPort) && link.SequenceEqual(_runLink))
        {
            return;
        }

        if (_runHandedOver)
        {
            _lastHandedOver[_run] = _runLast;
        }

        _run = (_names.Get(link), _names.Get(port), subtree);
        _runLink = link.ToArray();
        _runPort = port.ToArray();
        _runHandedOver = _lastHandedOver.TryGetValue(_run, out _runLast);
    }

    /// <summary>Hands the packets of one read to the application's readers (the read loop calls it after each read).</summary>
    public void HandOver()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        StreamPacket[] batch = [.. _pending];
        long bytes = _pendingBytes;
        _pending.Clear();
        _pendingBytes = 0;
        Interlocked.Add(ref _waiting, batch.Length);
        Interlocked.Add(ref _waitingBytes, bytes);
        if (!_batches.Writer.TryWrite(batch))
        {
            // The client is closing: nobody reads any more.
            Interlocked.Add(ref _waiting, -batch.Length);
            Interlocked.Add(ref _waitingBytes, -bytes);
        }
    }

    /// <summary>The packets handed over, in order; each to one reader. Ends when <see cref="Complete"/> is called, with its failure if any.</summary>
    public async IAsyncEnumerable<StreamPacket> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_leftovers.TryDequeue(out ArraySegment<StreamPacket> batch))
            {
                if (!_batches.Reader.TryRead(out StreamPacket[]? next))
                {
                    if (!await _batches.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    continue;
                }

                batch = next;
            }

            int taken = 0;
            try
            {
                while (taken < batch.Count)
                {
                    StreamPacket packet = batch[taken++];
                    Interlocked.Decrement(ref _waiting);
                    Interlocked.Add(ref _waitingBytes, -packet.Payload.Length);
                    yield return packet;
                }
            }
            finally
            {
                if (taken < batch.Count)
                {
                    // The reader stopped midway: the rest of its batch goes to the next one.
                    _leftovers.Enqueue(batch[taken..]);
                }
            }
        }
    }

    /// <summary>The server refused a STREAM this client sent (302 queue full, 305 TTL, 203, 501…).</summary>
    public void OnRefused(ErrorCode code, string detail)
    {
        Interlocked.Increment(ref _refused);
        Volatile.Write(ref _lastRefusal, new TamTamException(code, detail));
    }

    public void Complete(Exception? failure) => _batches.Writer.TryComplete(failure);
}
