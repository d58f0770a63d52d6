using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Totals of the in-process silo's <c>TamTam.Streams</c> instruments while a test runs, by instrument and reason tag.</summary>
internal sealed class StreamMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public StreamMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TamTam.Streams")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                key += $"/{tag.Value}";
            }

            _totals.AddOrUpdate(key, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long this[string instrument] => _totals.TryGetValue(instrument, out long total) ? total : 0;

    /// <summary>Waits until <paramref name="instrument"/> reaches <paramref name="atLeast"/>; its total then.</summary>
    public async Task<long> WaitForAsync(string instrument, long atLeast)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (this[instrument] < atLeast)
        {
            // Measurements arrive on the silo's threads with no event to await: look again shortly.
            await Task.Delay(20, timeout.Token);
        }

        return this[instrument];
    }

    public void Dispose() => _listener.Dispose();
}
