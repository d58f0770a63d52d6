using System.Diagnostics.Metrics;
using TamTam.Gateway.Diagnostics;
using TamTam.Storage.Diagnostics;

namespace TamTam.Bench.Workloads;

/// <summary>
/// Listens to the in-process silo's meters (storage and gateway) so that a result can say where the work
/// went: how many records each group commit carried, how long the fsyncs took, how many frames crossed.
/// </summary>
internal sealed class SiloMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _logBatches;
    private long _logRecords;
    private long _fsyncs;
    private long _fsyncTicks;
    private long _framesIn;
    private long _framesOut;

    public SiloMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is StorageMetrics.MeterName or GatewayMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "tamtam.storage.log.batches":
                    Interlocked.Add(ref _logBatches, value);
                    break;
                case "tamtam.storage.log.records":
                    Interlocked.Add(ref _logRecords, value);
                    break;
                case "tamtam.gateway.frames.in":
                    Interlocked.Add(ref _framesIn, value);
                    break;
                case "tamtam.gateway.frames.out":
                    Interlocked.Add(ref _framesOut, value);
                    break;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "tamtam.storage.log.fsync.duration")
            {
                Interlocked.Increment(ref _fsyncs);
                Interlocked.Add(ref _fsyncTicks, (long)(value * TimeSpan.TicksPerSecond));
            }
        });
        _listener.Start();
    }

    /// <summary>The totals so far; subtract two snapshots for one run.</summary>
    public SiloFigures Snapshot() => new(
        Interlocked.Read(ref _logBatches),
        Interlocked.Read(ref _logRecords),
        Interlocked.Read(ref _fsyncs),
        0,
        new TimeSpan(Interlocked.Read(ref _fsyncTicks)).TotalSeconds,
        Interlocked.Read(ref _framesIn),
        Interlocked.Read(ref _framesOut));

    public static SiloFigures Between(SiloFigures start, SiloFigures end)
    {
        long fsyncs = end.Fsyncs - start.Fsyncs;
        double fsyncSeconds = end.FsyncSeconds - start.FsyncSeconds;
        return new SiloFigures(
            end.LogBatches - start.LogBatches,
            end.LogRecords - start.LogRecords,
            fsyncs,
            fsyncs == 0 ? 0 : Math.Round(fsyncSeconds * 1e6 / fsyncs, 1),
            Math.Round(fsyncSeconds, 3),
            end.FramesIn - start.FramesIn,
            end.FramesOut - start.FramesOut);
    }

    public void Dispose() => _listener.Dispose();
}
