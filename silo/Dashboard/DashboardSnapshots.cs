using System.Text.Json;
using Orleans.Runtime;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Streams;
using TamTam.Silo.Dashboard.Internal;

namespace TamTam.Silo.Dashboard;

/// <summary>
/// The dashboard's one snapshot per <see cref="Interval"/>, shared by every viewer: whoever asks first in an
/// interval starts the computation, everyone asking meanwhile awaits the same one, and all get the same serialized
/// bytes. Nothing is computed while nobody watches, so the grains are queried at most once per interval whatever
/// the number of viewers, and never when there are none.
/// </summary>
public sealed class DashboardSnapshots
{
    /// <summary>How often a snapshot is computed while someone watches.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Rate samples kept for the charts: the last minute at one per interval.</summary>
    public const int HistoryLength = 60;

    private readonly SnapshotSources _sources;
    private readonly DashboardCounters _counters;
    private readonly GatewayStatistics _statistics;
    private readonly GatewayStreams _streams;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<DashboardRates> _history = new();
    private Task<byte[]>? _current;
    private long _currentAt;
    private Totals _previous;

    internal DashboardSnapshots(SnapshotSources sources, DashboardCounters counters, GatewayStatistics statistics, GatewayStreams streams,
        TimeProvider time)
    {
        _sources = sources;
        _counters = counters;
        _statistics = statistics;
        _streams = streams;
        _time = time;
        _previous = Totals.Read(counters, time.GetTimestamp());
    }

    /// <summary>The clock the interval is measured on.</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// The current snapshot as UTF-8 JSON (<see cref="DashboardSnapshot"/>): the one computed within the last
    /// interval, or a new one.
    /// </summary>
    public Task<byte[]> CurrentAsync()
    {
        lock (_gate)
        {
            if (_current is null || _current.IsFaulted || _time.GetElapsedTime(_currentAt) >= Interval)
            {
                _currentAt = _time.GetTimestamp();
                _current = ComputeAsync();
            }

            return _current;
        }
    }

    private async Task<byte[]> ComputeAsync()
    {
        DateTimeOffset now = _time.GetUtcNow();
        Task<DashboardSilo[]> silos = _sources.SilosAsync(now);
        Task<(DashboardLink[] Links, bool Truncated)> links = _sources.LinksAsync();
        Task<DashboardTransfer[]> transfers = _sources.TransfersAsync();
        Task<DashboardInterchange> interchange = _sources.InterchangeAsync();

        DashboardRates rates;
        DashboardRates[] history;
        lock (_gate)
        {
            Totals totals = Totals.Read(_counters, _time.GetTimestamp());
            rates = totals.RatesSince(_previous, now, _time);
            _previous = totals;
            _history.Enqueue(rates);
            while (_history.Count > HistoryLength)
            {
                _history.Dequeue();
            }

            history = [.. _history];
        }

        StreamBacklog backlog = _streams.Backlog();
        (long slow, long tooLarge, long ttl, long relayLost) = _counters.Dropped;
        var streams = new DashboardStreams(backlog.Subscribers, backlog.Packets, backlog.Largest, slow, tooLarge, ttl, relayLost,
            _counters.PacketsRefused, _counters.HoldBacks);
        var gateway = new DashboardGateway(_statistics.Sessions, _statistics.FramesIn, _statistics.FramesOut, _statistics.Errors);
        (DashboardLink[] linkList, bool truncated) = await links.ConfigureAwait(false);
        var snapshot = new DashboardSnapshot(now, _sources.Self.ToString(), (long)_statistics.Uptime.TotalMilliseconds, gateway, rates, history,
            streams, await silos.ConfigureAwait(false), linkList, truncated, await transfers.ConfigureAwait(false),
            await interchange.ConfigureAwait(false));
        return JsonSerializer.SerializeToUtf8Bytes(snapshot, DashboardJsonContext.Default.DashboardSnapshot);
    }

    /// <summary>The counters' totals at one moment, from which the next snapshot's rates are taken.</summary>
    private readonly record struct Totals(long At, long MessagesIn, long MessagesOut, long PacketsIn, long PacketsOut, long Dropped)
    {
        public static Totals Read(DashboardCounters counters, long at)
        {
            (long slow, long tooLarge, long ttl, long relayLost) = counters.Dropped;
            return new Totals(at, counters.MessagesIn, counters.MessagesOut, counters.PacketsIn, counters.PacketsOut, slow + tooLarge + ttl + relayLost);
        }

        public DashboardRates RatesSince(Totals before, DateTimeOffset now, TimeProvider time)
        {
            double seconds = Math.Max(time.GetElapsedTime(before.At, At).TotalSeconds, 0.001);
            return new DashboardRates(now, Per(MessagesIn - before.MessagesIn), Per(MessagesOut - before.MessagesOut),
                Per(PacketsIn - before.PacketsIn), Per(PacketsOut - before.PacketsOut), Per(Dropped - before.Dropped));

            double Per(long count) => Math.Round(count / seconds, 1);
        }
    }
}
