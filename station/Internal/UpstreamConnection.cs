using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Station.Internal;

/// <summary>
/// One TCP connection of a station to an interchange: frames out through one write queue, frames in on one read loop.
/// Replies complete the request of their correlation; everything else the interchange sends becomes an
/// <see cref="UpstreamEvent"/> for the station, in the order it arrived.
/// </summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    private const int MaxBody = ProtocolLimits.MaxBodyCeiling;

    // What one read from the socket may bring: a burst of DELIVERs read at once goes to the hosted link in one call.
    private const int ReadBufferBytes = 64 * 1024;
    private const int QueueBufferBytes = 16 * 1024;

    // A write buffer that grew past this (a part, a large stream batch) is dropped after its write, not kept for good.
    private const int QueueBufferKeptBytes = 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    // Frames written while a socket write is in flight wait in _queued and leave together in the next write: a burst of
    // ACKs (one per message a hosted link settles) costs one send, not one each. Each frame's writer learns the outcome
    // of the write that carried it; after a failed write every later one fails at once.
    private readonly Lock _queueGate = new();
    private ArrayBufferWriter<byte> _queued = new(QueueBufferBytes);
    private ArrayBufferWriter<byte> _sending = new(QueueBufferBytes);
    private TaskCompletionSource _queuedWritten = NewWrite();
    private bool _flushing;
    private Exception? _writeFailure;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<UpstreamReply>> _pending = new();
    private readonly TaskCompletionSource<WelcomeInfo> _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Guid, Action<PartAckFrame>> _partAcks = new();
    private int _nextCorrelation;

    private UpstreamConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: ReadBufferBytes / 4));
    }

    /// <summary>What WELCOME granted.</summary>
    internal sealed record WelcomeInfo(byte[] ResumeToken, bool Resumed, uint MaxBody, uint PartSize);

    public static async Task<UpstreamConnection> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new UpstreamConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The handshake's answer; faults with <see cref="UpstreamRefusedException"/> when the interchange refuses it.</summary>
    public Task<WelcomeInfo> Welcome => _welcome.Task;

    /// <summary>
    /// Writes <paramref name="frame"/> with a new correlation and returns, once it is written, the task of the reply of that
    /// correlation (faulted with <see cref="TimeoutException"/> after <paramref name="timeout"/>, or when the connection ends).
    /// Requests written one after the other reach the interchange in that order.
    /// </summary>
    public async Task<Task<UpstreamReply>> StartRequestAsync<T>(T frame, TimeSpan timeout, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        uint correlation = NextCorrelation();
        var reply = new TaskCompletionSource<UpstreamReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlation] = reply;
        try
        {
            await WriteAsync(frame, correlation, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(correlation, out _);
            throw;
        }

        return WaitAsync(correlation, reply.Task, timeout);
    }

    private async Task<UpstreamReply> WaitAsync(uint correlation, Task<UpstreamReply> reply, TimeSpan timeout)
    {
        try
        {
            return await reply.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    /// <summary>
    /// Writes one frame, with the frames written meanwhile, in the order of the calls; completes once the write that carries
    /// it is done. A failed write fails the connection.
    /// </summary>
    public Task WriteAsync<T>(T frame, uint correlation, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        lock (_queueGate)
        {
            if (_writeFailure is null)
            {
                FrameCodec.Encode(_queued, frame, correlation);
            }

            return QueuedLocked(cancellationToken);
        }
    }

    /// <summary>Writes frames encoded already (a stream batch's STREAMs), as <see cref="WriteAsync{T}"/> does.</summary>
    public Task WriteEncodedAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        lock (_queueGate)
        {
            if (_writeFailure is null)
            {
                _queued.Write(frames.Span);
            }

            return QueuedLocked(cancellationToken);
        }
    }

    private Task QueuedLocked(CancellationToken cancellationToken)
    {
        if (_writeFailure is { } failure)
        {
            return Task.FromException(new IOException("a write to the interchange failed", failure));
        }

        Task written = _queuedWritten.Task;
        if (!_flushing)
        {
            // Not on the caller's stack: the frames its caller writes next (an ACK per settled message) join this write.
            _flushing = true;
            ThreadPool.UnsafeQueueUserWorkItem(static connection => _ = connection.FlushAsync(), this, preferLocal: true);
        }

        return cancellationToken.CanBeCanceled ? written.WaitAsync(cancellationToken) : written;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            TaskCompletionSource done;
            lock (_queueGate)
            {
                if (_queued.WrittenCount == 0)
                {
                    _flushing = false;
                    return;
                }

                (_queued, _sending) = (_sending, _queued);
                done = _queuedWritten;
                _queuedWritten = NewWrite();
            }

            try
            {
                await _stream.WriteAsync(_sending.WrittenMemory).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                TaskCompletionSource? waiting;
                lock (_queueGate)
                {
                    _writeFailure = e;
                    _flushing = false;
                    waiting = _queued.WrittenCount > 0 ? _queuedWritten : null; // only frames queued meanwhile have writers
                }

                done.TrySetException(e);
                waiting?.TrySetException(e);
                return;
            }

            // Only this loop touches _sending between its swaps, and one loop runs at a time.
            if (_sending.Capacity > QueueBufferKeptBytes)
            {
                _sending = new ArrayBufferWriter<byte>(QueueBufferBytes);
            }
            else
            {
                _sending.ResetWrittenCount();
            }

            done.TrySetResult();
        }
    }

    private static TaskCompletionSource NewWrite() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Hands the PART_ACKs of transfer <paramref name="transferId"/> to <paramref name="listener"/>, on the read loop, until the
    /// returned registration is disposed: an upload of the station's (<see cref="UpstreamUpload"/>) waits on them.
    /// </summary>
    public IDisposable ListenForPartAcks(Guid transferId, Action<PartAckFrame> listener)
    {
        _partAcks[transferId] = listener;
        return new PartAckRegistration(_partAcks, transferId, listener);
    }

    /// <summary>A request correlation for a frame whose reply is not awaited (ACK, NACK, STATUS_ACK, CLAIM, PASS).</summary>
    public uint NextCorrelation() => (uint)Interlocked.Increment(ref _nextCorrelation);

    /// <summary>Reads until the interchange closes the connection or <paramref name="cancellationToken"/> ends it.</summary>
    /// <param name="events">Where offers, deliveries and statuses go, in order, as many as one read brought.</param>
    /// <param name="cancellationToken">Ends the reading.</param>
    public async Task RunAsync(Func<IReadOnlyList<UpstreamEvent>, ValueTask> events, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ReadResult read = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                var batch = new List<UpstreamEvent>();
                while (FrameReader.TryReadFrame(ref buffer, MaxBody, out Frame frame))
                {
                    if (Dispatch(frame) is { } upstreamEvent)
                    {
                        batch.Add(upstreamEvent);
                    }
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (batch.Count > 0)
                {
                    await events(batch).ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            var closed = new IOException("the connection to the interchange ended");
            _welcome.TrySetException(closed);
            foreach (TaskCompletionSource<UpstreamReply> pending in _pending.Values)
            {
                pending.TrySetException(closed);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Close();
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private UpstreamEvent? Dispatch(in Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Welcome:
                WelcomeFrame welcome = frame.Decode<WelcomeFrame>();
                _welcome.TrySetResult(new WelcomeInfo(welcome.ResumeToken.ToArray(), welcome.Resumed, welcome.MaxBody, welcome.PartSize));
                return null;
            case FrameType.Ping:
                PingFrame ping = frame.Decode<PingFrame>();
                BackgroundPong(new PongFrame(ping.SentAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000), frame.Correlation);
                return null;
            case FrameType.Ok:
                Complete(frame.Correlation, new UpstreamReply(FrameType.Ok));
                return null;
            case FrameType.Pong:
                // The PING after a parted SEND: every part the interchange holds has been acknowledged before it.
                _ = frame.Decode<PongFrame>();
                Complete(frame.Correlation, new UpstreamReply(FrameType.Pong));
                return null;
            case FrameType.PartAck:
                // Of a station upload, or (result 0, correlation 0) naming a part of a DELIVER the station confirmed before,
                // which its own store already knows.
                PartAckFrame partAck = frame.Decode<PartAckFrame>();
                if (_partAcks.TryGetValue(partAck.TransferId, out Action<PartAckFrame>? listener))
                {
                    listener(partAck);
                }

                return null;
            case FrameType.Part:
                PartFrame part = frame.Decode<PartFrame>();
                return new UpstreamPart(part.TransferId, part.Index, part.Count, part.Crc32C, part.Payload.ToArray(), frame.Correlation);
            case FrameType.Accepted:
                AcceptedFrame accepted = frame.Decode<AcceptedFrame>();
                Complete(frame.Correlation, new UpstreamReply(FrameType.Accepted)
                {
                    Sequence = accepted.Sequence,
                    AcceptedAtUs = accepted.AcceptedAt,
                    Duplicate = accepted.Duplicate,
                });
                return null;
            case FrameType.LinksReport:
                var links = new Dictionary<string, uint>(StringComparer.Ordinal);
                foreach (LinkEntry entry in frame.Decode<LinksReportFrame>().Links)
                {
                    links[entry.Link.ToString()] = entry.Nodes;
                }

                Complete(frame.Correlation, new UpstreamReply(FrameType.LinksReport) { Links = links });
                return null;
            case FrameType.Error:
                ErrorFrame error = frame.Decode<ErrorFrame>();
                var reply = new UpstreamReply(FrameType.Error, error.Code, error.Message.ToString());
                if (!Complete(frame.Correlation, reply) && !_welcome.Task.IsCompleted)
                {
                    _welcome.TrySetException(new UpstreamRefusedException(error.Code, error.Message.ToString()));
                }

                return null;
            case FrameType.StationOffer:
                StationOfferFrame offer = frame.Decode<StationOfferFrame>();
                return new UpstreamOffer(offer.MessageId, offer.SrcLink.ToString(), offer.DestLink.ToString(), offer.DestPort.ToString(), offer.Ttl, offer.Size);
            case FrameType.Deliver:
                DeliverFrame deliver = frame.Decode<DeliverFrame>();
                ReplyRoute? route = deliver.Reply is { } r ? new ReplyRoute(r.CorrelationId, r.Link.ToString(), r.Port.ToString()) : null;
                TransferDescriptor? parted = deliver.Transfer is { } t
                    ? new TransferDescriptor((long)t.TotalSize, (int)t.PartSize, (int)t.PartCount, t.Sha256.ToArray())
                    : null;
                return new UpstreamDelivery(deliver.MessageId, deliver.Sequence, deliver.SrcLink.ToString(), deliver.SrcNode.ToString(),
                    deliver.DestLink.ToString(), deliver.DestPort.ToString(), deliver.Deadline, deliver.Transfer.HasValue, deliver.Payload.ToArray(),
                    route, deliver.Trace?.ToString(), parted);
            case FrameType.Stream:
                StreamFrame stream = frame.Decode<StreamFrame>();
                return new UpstreamStream(stream.PacketId, stream.Link.ToString(), stream.Port.ToString(), stream.Ttl, stream.WantAck, stream.Subtree,
                    stream.Payload.ToArray());
            case FrameType.Status:
                StatusFrame status = frame.Decode<StatusFrame>();
                return new UpstreamStatus(status.MessageId, status.State, status.Recipients, status.Confirmed, status.At, status.Detail.ToString());
            default:
                // Anything newer: nothing the station waits for.
                return null;
        }
    }

    private sealed class PartAckRegistration(ConcurrentDictionary<Guid, Action<PartAckFrame>> listeners, Guid id, Action<PartAckFrame> listener)
        : IDisposable
    {
        public void Dispose() => listeners.TryRemove(new KeyValuePair<Guid, Action<PartAckFrame>>(id, listener));
    }

    private bool Complete(uint correlation, UpstreamReply reply) =>
        correlation != 0 && _pending.TryRemove(correlation, out TaskCompletionSource<UpstreamReply>? pending) && pending.TrySetResult(reply);

    private void BackgroundPong(PongFrame pong, uint correlation)
    {
        // The read loop must not wait for its own writes; a failed write ends the connection, which the loop sees.
        Task write = WriteAsync(pong, correlation, CancellationToken.None);
        write.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }
}
