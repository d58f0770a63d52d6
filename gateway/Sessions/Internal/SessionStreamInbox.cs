using System.Threading.Channels;
using TamTam.Gateway.Streams;
using TamTam.Gateway.Streams.Internal;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The receiving half of a session's streaming mode: batches its silo's relay hands over wait here for the
/// session's socket and are written as they are (the frames are encoded once for every subscriber).
/// </summary>
/// <remarks>
/// <para>The relay must not wait for one session's socket — it serves every subscriber of the silo — so at most
/// <see cref="MaxBufferedPackets"/> packets wait here. A subscriber that lets that fill loses what does not fit,
/// each counted (<c>tamtam.streams.packets.dropped</c>, reason <c>slow_consumer</c>) and visible to the receiver
/// as a jump in <c>stream_sequence</c>.</para>
/// <para>Before it comes to that, the backlog is reported back to the publishers (<see cref="Offer"/>), which hold
/// back while it is large (<see cref="SessionStreams"/>): a subscriber slower than its publisher is waited for, not
/// dropped. A subscriber whose socket has taken nothing for <see cref="GatewayOptions.StreamStallTimeout"/> reports no
/// backlog, so one that stopped reading holds nobody back for longer than that; it loses packets instead.</para>
/// </remarks>
internal sealed class SessionStreamInbox : IStreamSubscriber
{
    /// <summary>Packets one session may hold received from its streams and not yet written to its socket.</summary>
    public const int MaxBufferedPackets = 65_536;

    /// <summary>
    /// Bytes of encoded frames one session may hold unwritten: the bound that large packets reach first (65,536
    /// packets of 256 bytes are 19 MiB). A batch is always taken when nothing else waits, however large.
    /// </summary>
    public const long MaxBufferedBytes = 32L * 1024 * 1024;

    private readonly GatewaySession _session;
    private readonly GatewayStreams _streams;
    private readonly SubscriberLag _lag;
    private readonly Channel<StreamBatch> _batches = Channel.CreateUnbounded<StreamBatch>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private long _buffered;
    private long _bufferedBytes;

    public SessionStreamInbox(GatewaySession session, GatewayStreams streams)
    {
        _session = session;
        _streams = streams;
        _lag = new SubscriberLag(Environment.TickCount64, session.Options.StreamStallTimeout);
    }

    public long Backlog => Volatile.Read(ref _buffered);

    public int Offer(StreamBatch batch)
    {
        int count = batch.Count;
        int bytes = batch.Frames.Length;
        long buffered = Interlocked.Add(ref _buffered, count);
        long bufferedBytes = Interlocked.Add(ref _bufferedBytes, bytes);
        bool alone = buffered == count;
        if (buffered > MaxBufferedPackets || (bufferedBytes > MaxBufferedBytes && !alone))
        {
            Unbuffer(count, bytes);
            _streams.Dropped(count, "slow_consumer");
            return 0;
        }

        if (!_batches.Writer.TryWrite(batch))
        {
            // The session is closing: nothing more goes out.
            Unbuffer(count, bytes);
            return 0;
        }

        // The fill, in packets, of whichever bound is nearer: the lag publishers are held back by.
        long fill = Math.Max(buffered, bufferedBytes * MaxBufferedPackets / MaxBufferedBytes);
        return _lag.Offered(alone, fill, Environment.TickCount64);
    }

    /// <summary>Starts writing to the socket (at the first subscription).</summary>
    public void Start() => _writer ??= WriteLoopAsync();

    /// <summary>Takes no more batches and waits for the writing to end.</summary>
    public async ValueTask CompleteAsync()
    {
        _batches.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        CancellationToken closing = _session.Closing;
        try
        {
            while (await _batches.Reader.WaitToReadAsync(closing).ConfigureAwait(false))
            {
                while (_batches.Reader.TryRead(out StreamBatch? batch))
                {
                    await WriteAsync(batch, closing).ConfigureAwait(false);
                }

                await _session.Output.FlushAsync(closing).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
            // The session is closing: what was not written is lost with the connection.
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            _session.Fail(exception);
        }
    }

    private async ValueTask WriteAsync(StreamBatch batch, CancellationToken cancellationToken)
    {
        int written = batch.Count;
        if (batch.LargestBody <= _session.Output.PeerMaxBody)
        {
            await _session.Output.WriteEncodedAsync(batch.Frames, FrameType.Stream, batch.Count, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            written = await WriteFittingAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        Unbuffer(batch.Count, batch.Frames.Length);
        _lag.Progressed(Environment.TickCount64);
        _streams.Delivered(written);
    }

    private void Unbuffer(int packets, int bytes)
    {
        Interlocked.Add(ref _buffered, -packets);
        Interlocked.Add(ref _bufferedBytes, -bytes);
    }

    /// <summary>Writes the packets of <paramref name="batch"/> this peer accepts, one at a time; the others are dropped and counted.</summary>
    private async ValueTask<int> WriteFittingAsync(StreamBatch batch, CancellationToken cancellationToken)
    {
        int written = 0;
        int position = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            int body = FrameHeader.ReadBodyLength(batch.Frames.Span[position..]);
            int length = ProtocolLimits.HeaderSize + body;
            if (body <= _session.Output.PeerMaxBody)
            {
                await _session.Output.WriteEncodedAsync(batch.Frames.Slice(position, length), FrameType.Stream, 1, cancellationToken).ConfigureAwait(false);
                written++;
            }
            else
            {
                _streams.Dropped(1, "too_large");
            }

            position += length;
        }

        return written;
    }
}
