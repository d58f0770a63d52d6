using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob.Internal;

/// <summary>
/// A log's segments as append blobs under its prefix, named by their first LSN. An append is one Append Block call
/// (a batch over 4 MiB takes several, in order), made with <c>If-Append-Position-Equal</c>: a retried or stale
/// append can never land twice or after someone else's. Once the service acknowledges it, the block is durable
/// (replicated), which is what an fsync gives on a local disk. A lease on the log's lock blob stands for the local
/// <c>.lock</c> file.
/// </summary>
internal sealed class AppendBlobSegments : ISegmentMedium
{
    // Append Block accepts 4 MiB on every service version (100 MiB on recent ones only).
    private const int MaxAppendBlockBytes = 4 * 1024 * 1024;

    private readonly BlobContainer _container;
    private readonly string _prefix;
    private readonly long _segmentSizeBytes;
    private readonly int _segmentMaxBlocks;
    private readonly StorageMetrics _metrics;
    private readonly BlobLogLease _lease;

    // Null when the next append must start a segment: before the first, and after a torn tail.
    private AppendBlobClient? _active;
    private int _activeBlocks;

    // The active segment's bytes as the open read them (small segments only), for the first reader to take: the replay
    // that follows an open then needs no second download. Dropped by the first append, which makes them stale.
    private BinaryData? _keptTail;

    public AppendBlobSegments(
        BlobContainer container, string prefix, BlobStorageOptions options, StorageMetrics metrics, BlobLogLease lease, AppendBlobClient? active, int activeBlocks,
        BinaryData? keptTail)
    {
        _container = container;
        _prefix = prefix;
        _segmentSizeBytes = options.SegmentSizeBytes;
        _segmentMaxBlocks = options.SegmentMaxBlocks;
        _metrics = metrics;
        _lease = lease;
        _active = active;
        _activeBlocks = activeBlocks;
        _keptTail = keptTail;
    }

    public Exception? LostReason => _lease.LostReason;

    // Append blobs cannot be shortened: recovery seals a torn tail behind the last whole record instead.
    public bool SealedSegmentsMayEndTorn => true;

    public bool NeedsNewSegment(LogView view, int frameBytes) =>
        _active is null
        || (view.ActiveLength > 0 && view.ActiveLength + frameBytes > _segmentSizeBytes)
        || (_activeBlocks > 0 && _activeBlocks + ((frameBytes + MaxAppendBlockBytes - 1) / MaxAppendBlockBytes) > _segmentMaxBlocks);

    public async ValueTask<SegmentInfo> StartSegmentAsync(long firstLsn)
    {
        Volatile.Write(ref _keptTail, null);
        var name = _prefix + SegmentFileName.Format(firstLsn);
        var client = _container.Client.GetAppendBlobClient(name);

        // Never over an existing blob: that would be a second writer, or a bug, and would lose records.
        await client.CreateAsync(
            new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } }, CancellationToken.None).ConfigureAwait(false);

        _active = client;
        _activeBlocks = 0;
        return new SegmentInfo(firstLsn, name);
    }

    public string NameInLogs(SegmentInfo segment) => segment.Path;

    public async ValueTask AppendAsync(byte[] frames, int length, long position)
    {
        Volatile.Write(ref _keptTail, null);
        for (var offset = 0; offset < length; offset += MaxAppendBlockBytes)
        {
            var count = Math.Min(MaxAppendBlockBytes, length - offset);
            using var content = new MemoryStream(frames, offset, count, writable: false);
            var options = new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = position } };

            var started = Stopwatch.GetTimestamp();
            await _active!.AppendBlockAsync(content, options, CancellationToken.None).ConfigureAwait(false);
            _metrics.LogBlobAppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _activeBlocks++;
            position += count;
        }
    }

    public async ValueTask<OpenedSegment?> OpenReadAsync(SegmentInfo segment, long? activeLength, int bufferBytes, CancellationToken cancellationToken)
    {
        if (activeLength is { } kept && Volatile.Read(ref _keptTail) is { } tail && tail.ToMemory().Length == kept
            && Interlocked.CompareExchange(ref _keptTail, null, tail) == tail)
        {
            var stream = tail.ToStream();
            return new OpenedSegment(new SegmentStreamReader(stream, kept, bufferBytes, lendBuffer: false), stream);
        }

        var options = activeLength is { } l ? new BlobDownloadOptions { Range = new HttpRange(0, l) } : new BlobDownloadOptions();
        BlobDownloadStreamingResult download;
        try
        {
            download = (await _container.Client.GetBlobClient(segment.Path).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound && activeLength is null)
        {
            return null;
        }

        var length = activeLength ?? download.Details.ContentLength;
        return new OpenedSegment(new SegmentStreamReader(download.Content, length, bufferBytes, lendBuffer: false), download);
    }

    public async ValueTask DeleteAsync(SegmentInfo segment) =>
        await _container.Client.GetBlobClient(segment.Path)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, CancellationToken.None).ConfigureAwait(false);

    // A deleted blob is gone once the service answers.
    public ValueTask DeletionsDoneAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
