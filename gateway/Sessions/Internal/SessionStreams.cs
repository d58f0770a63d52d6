using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Streams;
using TamTam.Gateway.Streams.Internal;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A joined session's streaming mode (docs/protocol.md 5.16, docs/architecture.md "Streaming mode").
/// Publishing: STREAM frames are encoded as subscribers will receive them into one batch per run of packets to
/// the same (link, port), and each batch is handed to that port's <see cref="IStreamPortGrain"/>, one call in
/// flight per session; a publisher that outruns it is held back (backpressure), and a port that refuses is
/// answered with an ERROR per packet. A publisher whose stream is far ahead of a subscriber that keeps up (the
/// port's answer says by how much) is held back too, so that the subscriber catches up instead of losing packets.
/// Receiving: the session subscribes to each port it BINDs through its silo's relay, and
/// <see cref="SessionStreamInbox"/> writes what arrives.
/// </summary>
internal sealed class SessionStreams : IAsyncDisposable
{
    /// <summary>Packets a publishing session may have read and not yet handed to their port grains before it stops reading.</summary>
    public const int MaxQueuedPackets = 16_384;

    /// <summary>The same bound in encoded bytes, which large packets reach first.</summary>
    public const int MaxQueuedBytes = 4 * 1024 * 1024;

    /// <summary>
    /// A subscriber's backlog (packets) from which its publishers hold back: a quarter of what a session buffers
    /// before it drops (<see cref="SessionStreamInbox.MaxBufferedPackets"/>), so the rest absorbs what is in flight.
    /// </summary>
    public const int HoldBackAbove = SessionStreamInbox.MaxBufferedPackets / 4;

    // The pause before the next publish call while the stream lags: doubled each time it still lags, up to the
    // longest, back to none once it does not. At the longest, a 64 KiB batch every 8 ms still goes out.
    private static readonly TimeSpan ShortestHoldBack = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestHoldBack = TimeSpan.FromMilliseconds(8);

    private readonly GatewaySession _session;
    private readonly GatewayStreams _streams;
    private readonly ILogger _logger;
    private readonly SessionStreamInbox _inbox;
    private readonly HashSet<StreamBinding> _subscriptions = [];
    private readonly Lock _gate = new();
    private List<StreamBatchBuilder> _open = [];
    private int _queued;
    private int _queuedBytes;
    private bool _publishing;
    private Task? _publishLoop;
    private int _lastBatchBytes;
    private TimeSpan _holdBack;

    public SessionStreams(GatewaySession session, GatewayStreams streams, ILogger logger)
    {
        _session = session;
        _streams = streams;
        _logger = logger;
        _inbox = new SessionStreamInbox(session, streams);
    }

    /// <summary>Whether STREAM frames were taken since the last <see cref="FlushAsync"/>.</summary>
    public bool HasPending { get; private set; }

    /// <summary>
    /// Takes one STREAM frame for the end of the read batch; returns a refusal (code and detail) to answer at once,
    /// or <see langword="null"/>. Within the sender's own link a packet makes no interchange pass and keeps its
    /// TTL; to another link it makes one, and a packet whose TTL that pass would take to 0 is not forwarded.
    /// </summary>
    public (ErrorCode Code, string Detail)? Queue(uint correlation, in StreamFrame frame, SessionLink joined)
    {
        ReadOnlySpan<byte> link = frame.Link.IsEmpty ? joined.LinkUtf8.Span : frame.Link.Utf8.Span;
        bool pass = !link.SequenceEqual(joined.LinkUtf8.Span);
        return Queue(correlation, frame, link, frame.Link.IsEmpty ? joined.Link : null, pass ? $"from link \"{joined.Link}\"" : null, station: null);
    }

    /// <summary>
    /// Takes one STREAM frame of a station session (docs/protocol.md section 5.18, "Streams"): it names its link, and its pass
    /// into the interchange costs one from its TTL, as a node's packet to another link does.
    /// </summary>
    public (ErrorCode Code, string Detail)? QueueFromStation(uint correlation, in StreamFrame frame, string station) =>
        Queue(correlation, frame, frame.Link.Utf8.Span, null, $"from station \"{station}\"", station);

    /// <summary>The gateway's stream counters, for the packets a station session receives.</summary>
    public GatewayStreams Counters => _streams;

    // pass: where the packet comes from when it makes an interchange pass (for the refusal's detail), else null.
    private (ErrorCode Code, string Detail)? Queue(uint correlation, in StreamFrame frame, ReadOnlySpan<byte> link, string? linkName, string? pass,
        string? station)
    {
        byte ttl = frame.Ttl;
        if (pass is not null)
        {
            if (ttl <= 1)
            {
                _streams.Dropped(1, "ttl");
                return Refuse(ErrorCode.Expired, $"the packet's ttl ({ttl}) does not allow the pass {pass} to \"{frame.Link}\"; it was not forwarded");
            }

            ttl--;
        }

        int bytes = ProtocolLimits.HeaderSize + frame.FieldsLength + (int)frame.Payload.Length;
        lock (_gate)
        {
            StreamBatchBuilder? batch = _open.Count > 0 ? _open[^1] : null;
            if (batch is null || !batch.Takes(link, frame.Port.Utf8.Span, frame.Subtree, bytes))
            {
                batch = new StreamBatchBuilder(linkName ?? frame.Link.ToString(), frame.Port.ToString(), frame.Subtree, Math.Max(_lastBatchBytes, bytes + link.Length))
                {
                    Station = station,
                };
                _open.Add(batch);
            }

            int encoded = batch.Bytes;
            batch.Add(correlation, frame, ttl);
            _queued++;
            _queuedBytes += batch.Bytes - encoded;
        }

        HasPending = true;
        return null;
    }

    /// <summary>A receiver's STREAM_ACK: counted; protocol version 1 defines no frame that would carry it on to the sender.</summary>
    public void Acknowledged() => _streams.Acknowledged();

    /// <summary>
    /// Hands the packets taken during one read to the session's publish loop, which keeps one grain call in flight
    /// and sends everything taken meanwhile next: batches grow with the load instead of being one read's worth.
    /// Waits (and so stops the session's reading) while more than <see cref="MaxQueuedPackets"/>, or more than
    /// <see cref="MaxQueuedBytes"/>, wait for that loop: the publisher's backpressure.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        HasPending = false;
        Task? running;
        lock (_gate)
        {
            running = _publishLoop;
            if (!_publishing)
            {
                _publishing = true;
                running = null;
            }
            else if (_queued <= MaxQueuedPackets && _queuedBytes <= MaxQueuedBytes)
            {
                return;
            }
        }

        if (running is null)
        {
            // Not yielded: the loop runs here up to its first grain call, one thread hop less per packet at low rates.
            _publishLoop = PublishLoopAsync(cancellationToken);
            return;
        }

        await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            List<StreamBatchBuilder> batches;
            lock (_gate)
            {
                if (_open.Count == 0)
                {
                    _publishing = false;
                    return;
                }

                batches = _open;
                _open = [];
            }

            bool refused = false;
            foreach (StreamBatchBuilder batch in batches)
            {
                if (_holdBack > TimeSpan.Zero)
                {
                    // Reading from the publisher stops meanwhile once MaxQueuedPackets (or MaxQueuedBytes) wait: it is paused, not dropped.
                    _streams.HeldBack();
                    await Task.Delay(_holdBack, cancellationToken).ConfigureAwait(false);
                }

                _lastBatchBytes = batch.Bytes;
                refused |= await PublishAsync(batch, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _queued -= batch.Count;
                    _queuedBytes -= batch.Bytes;
                }
            }

            if (refused)
            {
                await _session.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes one batch and answers a refusal; true when ERRORs were written.</summary>
    private async ValueTask<bool> PublishAsync(StreamBatchBuilder batch, CancellationToken cancellationToken)
    {
        StreamPublishResult result;
        if (_session.Grains is not { } grains)
        {
            result = StreamPublishResult.Refused(ErrorCode.Unavailable, "streaming mode is not configured on this server");
        }
        else
        {
            try
            {
                result = await grains.GetGrain<IStreamPortGrain>(batch.Key).PublishAsync(batch.Build()).ConfigureAwait(false);
            }
            catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
            {
                _logger.StreamPublishFailed(exception, _session.ConnectionId, batch.Key);
                result = StreamPublishResult.Refused(ErrorCode.Unavailable, "the port's stream is unavailable; publish again");
            }
        }

        // A refusal carries no lag: the pause ends with it.
        _holdBack = result.Lag < HoldBackAbove ? TimeSpan.Zero
            : _holdBack == TimeSpan.Zero ? ShortestHoldBack
            : TimeSpan.FromTicks(Math.Min(_holdBack.Ticks * 2, LongestHoldBack.Ticks));
        if (result.Published)
        {
            return false;
        }

        _streams.Refused(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            await _session.Output.WriteErrorAsync(result.Code, result.Detail ?? result.Code.ToString(), fatal: false, batch.CorrelationOf(i),
                cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Subscribes to the streams <paramref name="binding"/> covers (after a BIND, before its OK; again after a
    /// resume); once per binding.
    /// </summary>
    public async Task SubscribeAsync(StreamBinding binding)
    {
        if (_streams.Relay is not { } relay || !_subscriptions.Add(binding))
        {
            return;
        }

        _inbox.Start();
        try
        {
            await relay.SubscribeAsync(binding, _inbox).ConfigureAwait(false);
        }
        catch
        {
            _subscriptions.Remove(binding);
            throw;
        }
    }

    /// <summary>Ends the subscription of <paramref name="binding"/> (after an UNBIND).</summary>
    public void Unsubscribe(StreamBinding binding)
    {
        if (_subscriptions.Remove(binding))
        {
            _streams.Relay?.Unsubscribe(binding, _inbox);
        }
    }

    /// <summary>Ends every subscription (LEAVE, or the session's end).</summary>
    public void UnsubscribeAll()
    {
        foreach (StreamBinding binding in _subscriptions)
        {
            _streams.Relay?.Unsubscribe(binding, _inbox);
        }

        _subscriptions.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_publishLoop is { } publishing)
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

        UnsubscribeAll();
        await _inbox.CompleteAsync().ConfigureAwait(false);
    }

    private (ErrorCode Code, string Detail)? Refuse(ErrorCode code, string detail)
    {
        _streams.Refused(1);
        return (code, detail);
    }
}
