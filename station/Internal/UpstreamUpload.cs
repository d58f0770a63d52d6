using System.Buffers;
using System.Threading.Channels;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Station.Internal;

/// <summary>
/// One parted message of a local node sent upstream (docs/protocol.md sections 5.18 and 7): the parted SEND with
/// <c>STATION</c>, cut in the interchange's part size, then a PING whose PONG says which parts the interchange already holds
/// (PART_ACK 0 before it: a resumed upload), then the other parts read back from the station's payload store by range, at
/// most <see cref="Window"/> unacknowledged, each sent again on 400, 403 or 501. Answered by the SEND's ACCEPTED or ERROR.
/// </summary>
/// <remarks>
/// A part's bytes are read into a pooled buffer, written and the buffer returned: the station never holds the payload.
/// The interchange must show progress (a PART_ACK) within the send timeout; a connection that ends fails the upload, and the
/// local node's SEND again resumes it where the interchange stands.
/// </remarks>
internal sealed class UpstreamUpload
{
    /// <summary>Parts in flight at once: what section 7 recommends to a client that does not know the server's window.</summary>
    public const int Window = 8;

    private readonly UpstreamConnection _connection;
    private readonly IPayloadStore _store;
    private readonly Guid _id;
    private readonly PayloadLayout _layout;
    private readonly TimeSpan _timeout;
    private readonly Channel<PartAckFrame> _acks = Channel.CreateUnbounded<PartAckFrame>(new UnboundedChannelOptions { SingleReader = true });

    public UpstreamUpload(UpstreamConnection connection, IPayloadStore store, Guid id, PayloadLayout layout, TimeSpan timeout)
    {
        _connection = connection;
        _store = store;
        _id = id;
        _layout = layout;
        _timeout = timeout;
    }

    /// <summary>Sends <paramref name="send"/> (PARTED, STATION) and its parts; the interchange's answer, or 501 when it gave none.</summary>
    public async Task<UpstreamReply> RunAsync(SendFrame send, CancellationToken cancellationToken)
    {
        using IDisposable listening = _connection.ListenForPartAcks(_id, ack => _acks.Writer.TryWrite(ack));

        // No timeout on the SEND's own answer: it comes once every part is stored, however long that takes; the parts'
        // acknowledgements below are what is timed.
        Task<UpstreamReply> reply = await _connection.StartRequestAsync(send, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        Task<UpstreamReply> pong = await _connection.StartRequestAsync(new PingFrame(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000), _timeout,
            cancellationToken).ConfigureAwait(false);
        if (await Task.WhenAny(reply, pong).ConfigureAwait(false) == reply)
        {
            return await reply.ConfigureAwait(false); // refused at once, or accepted already (a duplicate)
        }

        await pong.ConfigureAwait(false);
        bool[] done = new bool[_layout.PartCount];
        int doneCount = 0;
        while (_acks.Reader.TryRead(out PartAckFrame held))
        {
            if (held.Result == ErrorCode.None && held.Index < (uint)done.Length && !done[held.Index])
            {
                done[held.Index] = true;
                doneCount++;
            }
        }

        var pending = new Queue<int>();
        for (int index = 0; index < done.Length; index++)
        {
            if (!done[index])
            {
                pending.Enqueue(index);
            }
        }

        int inFlight = 0;
        while (doneCount < done.Length)
        {
            while (inFlight < Window && pending.TryDequeue(out int index))
            {
                await SendPartAsync(index, cancellationToken).ConfigureAwait(false);
                inFlight++;
            }

            Task<bool> next = _acks.Reader.WaitToReadAsync(cancellationToken).AsTask();
            Task first = await Task.WhenAny(next, reply, Task.Delay(_timeout, cancellationToken)).ConfigureAwait(false);
            if (first == reply)
            {
                return await reply.ConfigureAwait(false); // refused during the upload (the link refused it, a bad digest)
            }

            if (first != next)
            {
                throw new TimeoutException($"the interchange acknowledged no part of transfer {_id} within {_timeout}");
            }

            while (_acks.Reader.TryRead(out PartAckFrame ack))
            {
                int index = (int)ack.Index;
                if ((uint)index >= (uint)done.Length)
                {
                    continue;
                }

                inFlight = Math.Max(0, inFlight - 1);
                if (ack.Result == ErrorCode.None)
                {
                    if (!done[index])
                    {
                        done[index] = true;
                        doneCount++;
                    }
                }
                else if (ack.Result is ErrorCode.BadChecksum or ErrorCode.WindowFull or ErrorCode.Unavailable)
                {
                    pending.Enqueue(index);
                }
                else
                {
                    return new UpstreamReply(FrameType.Error, ack.Result, $"the interchange refused part {index} of transfer {_id}: {ack.Result.WireName()}");
                }
            }
        }

        // Every part is stored upstream: the ACCEPTED (or ERROR) follows once the interchange has checked the digest.
        return await reply.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendPartAsync(int index, CancellationToken cancellationToken)
    {
        int size = _layout.SizeOfPart(index);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            long offset = (long)index * _layout.PartSize;
            int read = 0;
            while (read < size)
            {
                int n = await _store.ReadAsync(_id, offset + read, buffer.AsMemory(read, size - read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new InvalidDataException($"the payload of transfer {_id} ends before part {index}");
                }

                read += n;
            }

            var part = new PartFrame(_id, (uint)index, (uint)_layout.PartCount, Crc32C.Compute(buffer.AsSpan(0, size)),
                new ReadOnlySequence<byte>(buffer, 0, size));
            await _connection.WriteAsync(part, _connection.NextCorrelation(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
