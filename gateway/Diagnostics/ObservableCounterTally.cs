using System.Diagnostics.Metrics;

namespace TamTam.Gateway.Diagnostics;

/// <summary>
/// A counter with one tag whose values are few and known in advance (a frame's type, a final state), kept as plain
/// totals and published as an observable counter: a count on the message path is one interlocked add, and listeners
/// (the exporters, the dashboard) read the totals when they collect instead of aggregating every measurement.
/// </summary>
/// <remarks>
/// Several indexes may share a tag value (every undefined frame type is <c>unknown</c>): their totals are reported
/// summed, as one measurement, so a collection never sees the same tag set twice. A total is reported once it is not 0.
/// </remarks>
internal sealed class ObservableCounterTally
{
    private readonly long[] _totals;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly int[][] _indexesByTag;

    /// <param name="name">The instrument's name.</param>
    /// <param name="unit">Its unit.</param>
    /// <param name="description">Its description.</param>
    /// <param name="meter">The meter it belongs to.</param>
    /// <param name="tagName">The one tag's name.</param>
    /// <param name="tagValues">The tag's value for each index that <see cref="Add"/> takes.</param>
    public ObservableCounterTally(string name, string unit, string description, Meter meter, string tagName, object?[] tagValues)
    {
        _totals = new long[tagValues.Length];
        var distinct = new List<(object? Value, List<int> Indexes)>();
        for (int i = 0; i < tagValues.Length; i++)
        {
            int at = distinct.FindIndex(d => Equals(d.Value, tagValues[i]));
            if (at < 0)
            {
                distinct.Add((tagValues[i], [i]));
            }
            else
            {
                distinct[at].Indexes.Add(i);
            }
        }

        _tags = [.. distinct.Select(d => new KeyValuePair<string, object?>(tagName, d.Value))];
        _indexesByTag = [.. distinct.Select(d => d.Indexes.ToArray())];
        meter.CreateObservableCounter(name, Observe, unit, description);
    }

    /// <summary>Counts <paramref name="value"/> under the tag value of <paramref name="index"/>.</summary>
    public void Add(int index, long value = 1) => Interlocked.Add(ref _totals[index], value);

    /// <summary>The total so far of the tag value of <paramref name="index"/>.</summary>
    public long Read(int index) => Volatile.Read(ref _totals[index]);

    private IEnumerable<Measurement<long>> Observe()
    {
        var measurements = new List<Measurement<long>>();
        for (int t = 0; t < _tags.Length; t++)
        {
            long total = 0;
            foreach (int index in _indexesByTag[t])
            {
                total += Volatile.Read(ref _totals[index]);
            }

            if (total != 0)
            {
                measurements.Add(new Measurement<long>(total, _tags[t]));
            }
        }

        return measurements;
    }
}
