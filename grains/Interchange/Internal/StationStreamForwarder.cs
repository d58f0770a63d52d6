using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using TamTam.Grains.Streams;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;

namespace TamTam.Grains.Interchange.Internal;

/// <summary>
/// The way from one port grain to the stations (docs/protocol.md section 5.18, "Streams"): the packets to a link the cloud
/// does not host go to the station of the link's route, or, with no route known, to every station of the ring in ring order,
/// the k-th copy with k − 1 more passes taken from its ttl (the publisher's gateway took the first). A copy whose ttl would
/// reach 0 is not sent, and counted (<see cref="InterchangeMetrics.StreamsNotForwarded"/>). Nothing is stored or retried:
/// a station that cannot be reached loses the packets, as any receiver of a stream may.
/// </summary>
/// <remarks>
/// Runs on its port grain's activation: no locks, turns never overlap. One station call in flight per port, batches in
/// sequence order. Where the link's packets go is asked of the interchange (and whether the link is hosted in the cloud, of
/// the link) at most once per <see cref="TargetsLifetime"/> while packets come, so that a port with no station to serve
/// costs one look-up a second, not one per batch.
/// </remarks>
internal sealed class StationStreamForwarder
{
    /// <summary>How long the stations a link's packets go to are used before the interchange is asked again.</summary>
    public static readonly TimeSpan TargetsLifetime = TimeSpan.FromSeconds(1);

    /// <summary>Packets that may wait for the stations; beyond it a batch is dropped (counted <c>relay_lost</c>).</summary>
    public const int MaxBacklogPackets = 65_536;

    private readonly string _key;
    private readonly string _link;
    private readonly IGrainFactory _grains;
    private readonly InterchangeMetrics _interchange;
    private readonly StreamMetrics _streams;
    private readonly ILogger _logger;
    private readonly Queue<StreamBatch> _waiting = new();
    private StationAttachment[] _targets = [];
    private long _askAfter; // Environment.TickCount64 from which the targets are asked again; 0: ask at the next batch
    private int _backlog;
    private Task? _sending;

    public StationStreamForwarder(string key, IGrainFactory grains, InterchangeMetrics interchange, StreamMetrics streams, ILogger logger)
    {
        _key = key;
        _link = StreamNames.Parse(key).Link;
        _grains = grains;
        _interchange = interchange;
        _streams = streams;
        _logger = logger;
    }

    private bool TargetsKnown => Environment.TickCount64 < _askAfter;

    /// <summary>Takes a numbered batch for the stations, if any station is to have it.</summary>
    public void Forward(StreamBatch batch)
    {
        if (_targets.Length == 0 && TargetsKnown)
        {
            return;
        }

        if (_backlog + batch.Count > MaxBacklogPackets)
        {
            _streams.RelayLost(batch.Count);
            return;
        }

        _waiting.Enqueue(batch);
        _backlog += batch.Count;
        if (_sending is null || _sending.IsCompleted)
        {
            _sending = SendWaitingAsync();
        }
    }

    private async Task SendWaitingAsync()
    {
        while (_waiting.Count > 0)
        {
            if (!TargetsKnown)
            {
                await AskTargetsAsync().ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            }

            StreamBatch batch = _waiting.Dequeue();
            _backlog -= batch.Count;
            int passes = 0;
            foreach (StationAttachment station in _targets)
            {
                if (station.Station == batch.Station)
                {
                    continue; // a station gets no copy of its own packets, and it costs no pass
                }

                StreamBatch? copy = CopyForStation(batch, passes++, out int notForwarded);
                if (notForwarded > 0)
                {
                    _interchange.StreamsNotForwarded(notForwarded);
                }

                if (copy is null)
                {
                    continue;
                }

                try
                {
                    await station.Observer.StreamAsync(copy).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                }
                catch (Exception exception)
                {
                    // The station's session ended, or did not answer in time: ask again where the link's packets go.
                    InterchangeLog.StreamNotSentToStation(_logger, _key, copy.Count, station.Station, exception);
                    _streams.RelayLost(copy.Count);
                    _askAfter = 0;
                }
            }
        }
    }

    private async Task AskTargetsAsync()
    {
        _askAfter = Environment.TickCount64 + (long)TargetsLifetime.TotalMilliseconds;
        try
        {
            StreamTargets targets = await _grains.GetGrain<IInterchangeGrain>(IInterchangeGrain.ClusterKey).GetStreamTargetsAsync(_link)
                .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);

            // Without a route only a roaming link's packets go round the ring: a link hosted in the cloud keeps its streams.
            bool local = !targets.Routed && targets.Stations.Length > 0
                && await _grains.GetGrain<ILinkGrain>(_link).IsHostedInCloudAsync().ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            _targets = local ? [] : targets.Stations;
        }
        catch (Exception exception)
        {
            InterchangeLog.StreamTargetsNotAsked(_logger, _key, exception);
            _targets = [];
        }
    }

    /// <summary>
    /// The packets of <paramref name="batch"/> as a station receives them after <paramref name="passes"/> more passes: each
    /// ttl less <paramref name="passes"/>, <c>stream_sequence</c> 0 (the station numbers its own deliveries). Null when no
    /// packet has ttl left; <paramref name="notForwarded"/> counts the packets left out.
    /// </summary>
    internal static StreamBatch? CopyForStation(StreamBatch batch, int passes, out int notForwarded)
    {
        ReadOnlySpan<byte> frames = batch.Frames.Span;
        int ttlOffset = batch.SequenceOffset - 1;
        var copy = new byte[frames.Length];
        int position = 0;
        int written = 0;
        int count = 0;
        notForwarded = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            int length = ProtocolLimits.HeaderSize + FrameHeader.ReadBodyLength(frames[position..]);
            int ttl = frames[position + ttlOffset] - passes;
            if (ttl >= 1)
            {
                Span<byte> frame = copy.AsSpan(written, length);
                frames.Slice(position, length).CopyTo(frame);
                frame[ttlOffset] = (byte)ttl;
                BinaryPrimitives.WriteUInt64LittleEndian(frame[batch.SequenceOffset..], 0);
                written += length;
                count++;
            }
            else
            {
                notForwarded++;
            }

            position += length;
        }

        return count == 0 ? null : new StreamBatch(batch.Key, count, copy.AsMemory(0, written), batch.SequenceOffset, batch.LargestBody)
        {
            Station = batch.Station,
        };
    }
}
