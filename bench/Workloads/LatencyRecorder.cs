using System.Diagnostics;

namespace TamTam.Bench.Workloads;

/// <summary>One latency slot per message, filled without locks; percentiles once the run is over.</summary>
internal sealed class LatencyRecorder
{
    private readonly long[] _ticks;
    private int _count;

    public LatencyRecorder(int capacity) => _ticks = new long[capacity];

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Record(long startTimestamp)
    {
        int slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _ticks.Length)
        {
            _ticks[slot] = Stopwatch.GetTimestamp() - startTimestamp;
        }
    }

    /// <summary>The <paramref name="quantile"/> (0…1) in microseconds, or null when nothing was recorded.</summary>
    public double? Percentile(double quantile)
    {
        int count = Math.Min(Volatile.Read(ref _count), _ticks.Length);
        if (count == 0)
        {
            return null;
        }

        long[] sorted = _ticks[..count];
        Array.Sort(sorted);
        long ticks = sorted[Math.Clamp((int)Math.Ceiling(quantile * count) - 1, 0, count - 1)];
        return Math.Round(ticks * 1e6 / Stopwatch.Frequency, 1);
    }
}
