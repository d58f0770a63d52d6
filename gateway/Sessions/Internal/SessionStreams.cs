using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Streams;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A joined session's streaming mode (docs/protocol.md 5.16). Publishing: STREAM frames are grouped per
/// (link, port) and handed to that port's <see cref="IStreamPortGrain"/> in one call per group, one call in flight
/// per session; a publisher that outruns it is held back (backpressure), and a queue that refuses is answered
/// with ERROR 302 per packet. Receiving: each bound port's Orleans stream is
/// subscribed to, and its batches are written as STREAM frames in sequence order.
/// </summary>
/// <remarks>
/// A subscription callback must not wait for this session's socket: the pulling agent that calls it serves
/// every stream of its queue. So batches wait in a per-session buffer of at most
/// <see cref="MaxBufferedPackets"/> packets; a subscriber that lets it fill loses the packets that do not fit,
/// each counted (<c>tamtam.streams.packets.dropped</c>, reason <c>slow_consumer</c>) and visible to the
/// receiver as a jump in <c>stream_sequence</c>.
/// </remarks>
internal sealed class SessionStreams : IAsyncDisposable
{
    /// <summary>Packets one session may hold received from its streams and not yet written to its socket.</summary>
    public const int MaxBufferedPackets = 65_536;

    /// <summary>
    /// Bytes of packets (payload plus <see cref="PacketOverheadBytes"/> each) in one stream event. The memory
    /// streams provider caches events in 1 MiB blocks and fails on a larger one, losing it: measured at 1.5 MB.
    /// </summary>
    public const int MaxBatchBytes = 256 * 1024;

    /// <summary>What a packet costs in a serialized stream event besides its payload (id, names, fields), rounded up.</summary>
    private const int PacketOverheadBytes = 64;

    /// <summary>Packets a publishing session may have read and not yet handed to their port grains before it stops reading.</summary>
    public const int MaxQueuedPackets = 16_384;

    private readonly GatewaySession _session;
    private readonly GatewayStreams _streams;
    private readonly ILogger _logger;
    private readonly Dictionary<string, StreamSubscriptionHandle<StreamBatch>> _subscriptions = new(StringComparer.Ordinal);
    private readonly List<(uint Correlation, string Link, string Port, StreamPacketData Packet)> _pending = [];
    private readonly List<(uint Correlation, string Link, string Port, StreamPacketData Packet)> _queued = [];
    private Task? _publishing;
    private readonly Channel<StreamBatch> _outgoing = Channel.CreateUnbounded<StreamBatch>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private long _buffered;

    public SessionStreams(GatewaySession session, GatewayStreams streams, ILogger logger)
    {
        _session = session;
        _streams = streams;
        _logger = logger;
    }

    public bool HasPending => _pending.Count > 0;

    /// <summary>
    /// Takes one STREAM frame for the end of the read batch; returns a refusal (code and detail) to answer at once,
    /// or <see langword="null"/>. Within the sender's own link a packet makes no interchange pass and keeps its
    /// TTL; to another link it makes one, and a packet whose TTL that pass would take to 0 is not forwarded.
    /// </summary>
    public (ErrorCode Code, string Detail)? Queue(uint correlation, in StreamFrame frame, SessionLink joined)
    {
        if (frame.Subtree)
        {
            return Refuse(ErrorCode.NotImplemented, "STREAM with SUBTREE is not served by this server yet: address one port");
        }

        string link = frame.Link.IsEmpty ? joined.Link : frame.Link.ToString();
        byte ttl = frame.Ttl;
        if (!string.Equals(link, joined.Link, StringComparison.Ordinal))
        {
            if (ttl <= 1)
            {
                _streams.Dropped(1, "ttl");
                return Refuse(ErrorCode.Expired, $"the packet's ttl ({ttl}) does not allow the pass from link \"{joined.Link}\" to \"{link}\"; it was not forwarded");
            }

            ttl--;
        }

        var packet = new StreamPacketData(frame.PacketId, joined.Link, joined.Node, ttl, frame.WantAck, frame.Payload.ToArray());
        _pending.Add((correlation, link, frame.Port.ToString(), packet));
        return null;
    }

    /// <summary>A receiver's STREAM_ACK: counted; protocol version 1 defines no frame that would carry it on to the sender.</summary>
    public void Acknowledged() => _streams.Acknowledged();

    /// <summary>
    /// Hands the packets queued during one read to the session's publish loop, which keeps one grain call in
    /// flight and sends everything queued meanwhile in the next one: batches grow with the load instead of
    /// being one read's worth. Waits (and so stops the session's reading) while more than
    /// <see cref="MaxQueuedPackets"/> wait for that loop: the publisher's backpressure.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Task? running;
        lock (_queued)
        {
            _queued.AddRange(_pending);
            _pending.Clear();
            running = _publishing;
            if (running is null || running.IsCompleted)
            {
                _publishing = running = PublishLoopAsync(cancellationToken);
                return;
            }

            if (_queued.Count <= MaxQueuedPackets)
            {
                return;
            }
        }

        await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (true)
        {
            (uint Correlation, string Link, string Port, StreamPacketData Packet)[] batch;
            lock (_queued)
            {
                if (_queued.Count == 0)
                {
                    return;
                }

                batch = [.. _queued];
                _queued.Clear();
            }

            if (await PublishAsync(batch, cancellationToken).ConfigureAwait(false))
            {
                await _session.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes one call's worth per (link, port) and answers refusals; true when an ERROR was written.</summary>
    private async ValueTask<bool> PublishAsync((uint Correlation, string Link, string Port, StreamPacketData Packet)[] pending,
        CancellationToken cancellationToken)
    {
        IGrainFactory? grains = _streams.Grains;
        bool refused = false;
        int start = 0;
        while (start < pending.Length)
        {
            // Consecutive packets to the same (link, port) form one batch, so the order of a sender's packets is kept,
            // up to MaxBatchBytes: the memory streams' cache cannot hold an event larger than its 1 MiB blocks.
            int end = start + 1;
            long bytes = pending[start].Packet.Payload.Length + PacketOverheadBytes;
            while (end < pending.Length && pending[end].Port == pending[start].Port && pending[end].Link == pending[start].Link
                && (bytes += pending[end].Packet.Payload.Length + PacketOverheadBytes) <= MaxBatchBytes)
            {
                end++;
            }

            var packets = new StreamPacketData[end - start];
            for (int i = start; i < end; i++)
            {
                packets[i - start] = pending[i].Packet;
            }

            StreamPublishResult result;
            if (grains is null || _streams.Provider is null)
            {
                result = StreamPublishResult.Refused(ErrorCode.Unavailable, "streaming mode is not configured on this server");
            }
            else
            {
                try
                {
                    result = await grains.GetGrain<IStreamPortGrain>(StreamNames.Key(pending[start].Link, pending[start].Port))
                        .PublishAsync(packets).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.StreamPublishFailed(exception, _session.ConnectionId, pending[start].Link, pending[start].Port);
                    result = StreamPublishResult.Refused(ErrorCode.Unavailable, "the port's stream is unavailable; publish again");
                }
            }

            if (!result.Published)
            {
                refused = true;
                _streams.Refused(packets.Length);
                for (int i = start; i < end; i++)
                {
                    await _session.Output.WriteErrorAsync(result.Code, result.Detail ?? result.Code.ToString(), fatal: false, pending[i].Correlation,
                        cancellationToken).ConfigureAwait(false);
                }
            }

            start = end;
        }

        return refused;
    }

    /// <summary>Subscribes to the stream of <paramref name="port"/> in <paramref name="link"/> (after a BIND); once per port.</summary>
    public async Task SubscribeAsync(string link, string port)
    {
        if (_subscriptions.ContainsKey(port) || _streams.Provider is not { } provider)
        {
            return;
        }

        _writer ??= WriteLoopAsync();
        IAsyncStream<StreamBatch> stream = provider.GetStream<StreamBatch>(StreamId.Create(StreamNames.Namespace, StreamNames.Key(link, port)));
        _subscriptions[port] = await stream.SubscribeAsync(OnBatchAsync).ConfigureAwait(false);
    }

    /// <summary>Ends the subscription to <paramref name="port"/> (after an UNBIND).</summary>
    public async Task UnsubscribeAsync(string port)
    {
        if (_subscriptions.Remove(port, out StreamSubscriptionHandle<StreamBatch>? handle))
        {
            await handle.UnsubscribeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends every subscription (LEAVE, or the session's end).</summary>
    public async Task UnsubscribeAllAsync()
    {
        foreach (string port in _subscriptions.Keys.ToArray())
        {
            try
            {
                await UnsubscribeAsync(port).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The subscription dies with its consumer anyway: the agent removes a consumer it cannot reach.
                _logger.StreamUnsubscribeFailed(exception, _session.ConnectionId, port);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_publishing is { } publishing)
        {
            try
            {
                await publishing.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The session is closing: packets not yet published go with it.
            }
        }

        await UnsubscribeAllAsync().ConfigureAwait(false);
        _outgoing.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    private Task OnBatchAsync(StreamBatch batch, StreamSequenceToken? token)
    {
        int count = batch.Packets.Length;
        if (Interlocked.Add(ref _buffered, count) > MaxBufferedPackets)
        {
            Interlocked.Add(ref _buffered, -count);
            _streams.Dropped(count, "slow_consumer");
            return Task.CompletedTask;
        }

        if (!_outgoing.Writer.TryWrite(batch))
        {
            // The session is closing: nothing more goes out.
            Interlocked.Add(ref _buffered, -count);
        }

        return Task.CompletedTask;
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        CancellationToken closing = _session.Closing;
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(closing).ConfigureAwait(false))
            {
                while (_outgoing.Reader.TryRead(out StreamBatch? batch))
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
        Utf8Text link = Utf8Text.From(batch.Link);
        Utf8Text port = Utf8Text.From(batch.Port);
        StreamPacketData[] packets = batch.Packets;
        for (int i = 0; i < packets.Length; i++)
        {
            StreamPacketData p = packets[i];
            var frame = new StreamFrame(p.PacketId, link, port, p.Ttl, batch.FirstSequence + (ulong)i, p.WantAck, Subtree: false,
                new ReadOnlySequence<byte>(p.Payload));
            await _session.Output.WriteAsync(frame, 0, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Add(ref _buffered, -packets.Length);
        _streams.Delivered(packets.Length);
    }

    private (ErrorCode Code, string Detail)? Refuse(ErrorCode code, string detail)
    {
        _streams.Refused(1);
        return (code, detail);
    }
}
