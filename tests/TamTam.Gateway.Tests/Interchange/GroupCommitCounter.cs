using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Storage.Diagnostics;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// Counts the group commits (durable log appends) of one silo of this process while it lives: the silo's storage meter is
/// told apart from other silos' by its meter factory.
/// </summary>
internal sealed class GroupCommitCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public GroupCommitCounter(IServiceProvider silo)
    {
        IMeterFactory factory = silo.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)
                && instrument.Name == "tamtam.storage.log.batches")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
