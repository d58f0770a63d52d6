using System.Diagnostics.Metrics;

namespace TamTam.Storage.Diagnostics;

/// <summary>
/// The storage layer's instruments, on the meter <c>TamTam.Storage</c>. No instrument is tagged by
/// log or grain: there can be one log per link, and per-log series would explode cardinality.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term><c>tamtam.storage.log.batches</c></term><description>Counter, {batch}: appends made by group commit.</description></item>
/// <item><term><c>tamtam.storage.log.records</c></term><description>Counter, {record}: records made durable by group commit.</description></item>
/// <item><term><c>tamtam.storage.log.bytes</c></term><description>Counter, By: record bytes made durable by group commit (framing excluded).</description></item>
/// <item><term><c>tamtam.storage.log.failed_batches</c></term><description>Counter, {batch}: group-commit batches whose append failed (every caller in them was faulted).</description></item>
/// <item><term><c>tamtam.storage.log.queued_records</c></term><description>UpDownCounter, {record}: records waiting for the next group-commit batch.</description></item>
/// <item><term><c>tamtam.storage.log.fsync.duration</c></term><description>Histogram, s: one fsync of a local segment file.</description></item>
/// <item><term><c>tamtam.storage.log.blob_append.duration</c></term><description>Histogram, s: one append-block call on a blob segment (the blob backend's durable write).</description></item>
/// <item><term><c>tamtam.storage.grain.write.duration</c></term><description>Histogram, s: one durable grain-state write or clear (either backend).</description></item>
/// </list>
/// </remarks>
public sealed class StorageMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (OpenTelemetry <c>AddMeter("TamTam.Storage")</c>).</summary>
    public const string MeterName = "TamTam.Storage";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a private meter if it is null.</summary>
    public StorageMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        LogBatches = _meter.CreateCounter<long>("tamtam.storage.log.batches", "{batch}", "Appends made by group commit.");
        LogRecords = _meter.CreateCounter<long>("tamtam.storage.log.records", "{record}", "Records made durable by group commit.");
        LogBytes = _meter.CreateCounter<long>("tamtam.storage.log.bytes", "By", "Record bytes made durable by group commit.");
        LogFailedBatches = _meter.CreateCounter<long>("tamtam.storage.log.failed_batches", "{batch}", "Group-commit batches whose append failed.");
        LogQueuedRecords = _meter.CreateUpDownCounter<long>("tamtam.storage.log.queued_records", "{record}", "Records waiting for the next group-commit batch.");
        LogFsyncDuration = _meter.CreateHistogram<double>("tamtam.storage.log.fsync.duration", "s", "One fsync of a local segment file.");
        LogBlobAppendDuration = _meter.CreateHistogram<double>("tamtam.storage.log.blob_append.duration", "s", "One append-block call on a blob segment.");
        GrainWriteDuration = _meter.CreateHistogram<double>("tamtam.storage.grain.write.duration", "s", "One durable grain-state write or clear.");
    }

    internal Counter<long> LogBatches { get; }

    internal Counter<long> LogRecords { get; }

    internal Counter<long> LogBytes { get; }

    internal Counter<long> LogFailedBatches { get; }

    internal UpDownCounter<long> LogQueuedRecords { get; }

    internal Histogram<double> LogFsyncDuration { get; }

    internal Histogram<double> LogBlobAppendDuration { get; }

    internal Histogram<double> GrainWriteDuration { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        // A factory's meters belong to the factory, which disposes them with the container.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
