using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using TamTam.Storage.Blob.Internal;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob;

/// <summary>
/// An <see cref="ISegmentLog"/> on Azure Blob Storage: append blobs named by their first LSN under the
/// log's prefix, each a sequence of records framed exactly as in a local segment file (u32 length,
/// u32 CRC-32C, bytes). Obtain one from <see cref="BlobSegmentLogStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// An append is one Append Block call (a batch over 4 MiB takes several, in order), made with
/// <c>If-Append-Position-Equal</c>: a retried or stale append can never land twice or after someone
/// else's. Once the service acknowledges it, the block is durable (replicated), which is what an
/// fsync gives on a local disk.
/// </para>
/// <para>
/// Append blobs cannot be shortened, so recovery does not cut a torn tail off: it notes where the
/// last whole record ends and starts a new segment for the next append. A sealed segment is read
/// only up to the records its successor's name accounts for, so those bytes never reappear. A
/// lease on the log's lock blob stands for the local <c>.lock</c> file.
/// </para>
/// </remarks>
internal sealed class BlobSegmentLog : ISegmentLog
{
    // Append Block accepts 4 MiB on every service version (100 MiB on recent ones only).
    private const int MaxAppendBlockBytes = 4 * 1024 * 1024;

    // The service's limit of blocks per append blob.
    private const int MaxBlocksPerSegment = 50_000;

    private readonly BlobContainer _container;
    private readonly string _prefix;
    private readonly long _segmentSizeBytes;
    private readonly int _readBufferBytes;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BlobLogLease _lease;

    // Serializes appends, truncations and disposal; readers go by _view alone.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private volatile LogView _view;

    // Null when the next append must start a segment: before the first, and after a torn tail.
    private AppendBlobClient? _active;
    private int _activeBlocks;
    private Exception? _fault;
    private bool _disposed;

    private BlobSegmentLog(
        string name, BlobContainer container, string prefix, BlobStorageOptions options, StorageMetrics metrics, ILogger logger,
        BlobLogLease lease, LogView view, AppendBlobClient? active, int activeBlocks)
    {
        Name = name;
        _container = container;
        _prefix = prefix;
        _segmentSizeBytes = options.SegmentSizeBytes;
        _readBufferBytes = options.ReadBufferBytes;
        _metrics = metrics;
        _logger = logger;
        _lease = lease;
        _view = view;
        _active = active;
        _activeBlocks = activeBlocks;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long FirstLsn => _view.FirstLsn;

    /// <inheritdoc/>
    public long NextLsn => _view.NextLsn;

    /// <summary>
    /// Opens (creating if needed) the log stored under <paramref name="prefix"/>: takes the lease, lists
    /// the segments and scans the last one for a torn tail.
    /// </summary>
    public static async Task<BlobSegmentLog> OpenAsync(
        string name, BlobContainer container, string prefix, BlobStorageOptions options, StorageMetrics metrics, ILogger logger)
    {
        await container.EnsureCreatedAsync().ConfigureAwait(false);
        var lease = await BlobLogLease.AcquireAsync(
            container.Client, prefix + BlobLogLease.LockBlobName, name, options.LeaseDuration, logger, CancellationToken.None).ConfigureAwait(false);
        try
        {
            var (segments, lengths) = await ListSegmentsAsync(container, prefix).ConfigureAwait(false);
            var view = LogView.Empty;
            AppendBlobClient? active = null;
            var activeBlocks = 0;
            if (!segments.IsEmpty)
            {
                var last = segments[^1];
                var client = container.Client.GetAppendBlobClient(last.Path);
                var tail = await RecoverTailAsync(client, lengths[^1], options.ReadBufferBytes).ConfigureAwait(false);
                if (tail.ValidLength == tail.Length)
                {
                    view = new LogView(segments, tail.ValidLength, last.FirstLsn + tail.RecordCount);
                    active = client;
                    activeBlocks = tail.BlockCount;
                }
                else if (tail.RecordCount > 0)
                {
                    logger.TornTailSealed(name, last.Path, tail.Length, tail.ValidLength, tail.RecordCount);
                    view = new LogView(segments, tail.ValidLength, last.FirstLsn + tail.RecordCount);
                }
                else
                {
                    // Nothing whole in it: the segment never held an acknowledged record. Remove it so
                    // that the next append can start a segment of the same name.
                    logger.TornTailSealed(name, last.Path, tail.Length, 0, 0);
                    await client.DeleteIfExistsAsync().ConfigureAwait(false);
                    segments = segments.RemoveAt(segments.Length - 1);
                    view = segments.IsEmpty
                        ? LogView.Empty with { NextLsn = last.FirstLsn }
                        : new LogView(segments, lengths[^2], last.FirstLsn);
                }
            }

            logger.LogOpened(name, view.FirstLsn, view.NextLsn, view.Segments.Length);
            return new BlobSegmentLog(name, container, prefix, options, metrics, logger, lease, view, active, activeBlocks);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var totalBytes = RecordFrame.MeasureBatch(records, nameof(records));
        if (totalBytes > Array.MaxLength)
        {
            throw new ArgumentException($"The batch frames to {totalBytes} bytes; one append is limited to {Array.MaxLength}.", nameof(records));
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _fault ??= _lease.LostReason;
            if (_fault is not null)
            {
                throw new SegmentLogFaultedException(Name, _fault);
            }

            var view = _view;
            if (records.Count == 0)
            {
                return view.NextLsn;
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)totalBytes);
            try
            {
                var written = 0;
                for (var i = 0; i < records.Count; i++)
                {
                    written += RecordFrame.Write(records[i].Span, buffer.AsSpan(written));
                }

                view = await WriteDurablyAsync(view, buffer, written).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Whatever reached the blob past the durable end is unknown now; refuse to write after it.
                _fault = ex;
                _logger.LogFaulted(ex, Name);
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var firstLsn = view.NextLsn;
            _view = view with { ActiveLength = view.ActiveLength + totalBytes, NextLsn = view.NextLsn + records.Count };
            return firstLsn;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromLsn, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var view = _view;
        var startLsn = Math.Max(fromLsn, view.FirstLsn);
        if (startLsn >= view.NextLsn)
        {
            yield break;
        }

        var segments = view.Segments;
        for (var index = view.SegmentIndexOf(startLsn); index < segments.Length; index++)
        {
            var segment = segments[index];
            var isActive = index == segments.Length - 1;
            var endLsn = view.EndLsnOf(index);
            if (endLsn == segment.FirstLsn)
            {
                continue;
            }

            var download = await DownloadAsync(segment.Path, isActive ? view.ActiveLength : null, cancellationToken).ConfigureAwait(false);
            if (download is null)
            {
                // Truncated away after this enumeration took its snapshot: those records were released.
                continue;
            }

            using (download)
            {
                var length = isActive ? view.ActiveLength : download.Details.ContentLength;
                var reader = new SegmentStreamReader(download.Content, length, _readBufferBytes, lendBuffer: false);
                for (var lsn = segment.FirstLsn; lsn < endLsn; lsn++)
                {
                    var (status, data) = await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false);
                    if (status != SegmentReadStatus.Record)
                    {
                        throw new StorageCorruptionException(segment.Path, $"expected record {lsn} at offset {reader.Position}, found {(status == SegmentReadStatus.End ? "the end of the segment" : "bytes that are not a valid record")}.");
                    }

                    if (lsn >= startLsn)
                    {
                        yield return new LogRecord(lsn, data);
                    }
                }

                // A torn tail sealed by recovery may follow the last record; another whole record may not.
                if (!isActive && (await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false)).Status == SegmentReadStatus.Record)
                {
                    throw new StorageCorruptionException(segment.Path, $"the segment holds more than the {endLsn - segment.FirstLsn} records its successor's name allows.");
                }
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var segments = _view.Segments;

            // Segment i holds only records below lsn when its successor starts at or below lsn.
            // The last segment has no successor, so the one being written to is never deleted.
            var deletable = 0;
            while (deletable < segments.Length - 1 && segments[deletable + 1].FirstLsn <= lsn)
            {
                deletable++;
            }

            if (deletable == 0)
            {
                return;
            }

            var deleted = 0;
            try
            {
                for (; deleted < deletable; deleted++)
                {
                    await _container.Client.GetBlobClient(segments[deleted].Path)
                        .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                // Oldest first, so even a partial failure leaves a gap-free log.
                _view = _view with { Segments = _view.Segments.RemoveRange(0, deleted) };
            }

            _logger.SegmentsDeleted(Name, deleted, lsn);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _lease.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Released, not disposed: appends queued behind disposal must wake up and see _disposed.
            _writeGate.Release();
        }
    }

    private async Task<LogView> WriteDurablyAsync(LogView view, byte[] frames, int length)
    {
        var blocks = (length + MaxAppendBlockBytes - 1) / MaxAppendBlockBytes;
        if (_active is null
            || (view.ActiveLength > 0 && view.ActiveLength + length > _segmentSizeBytes)
            || _activeBlocks + blocks > MaxBlocksPerSegment)
        {
            view = await StartSegmentAsync(view).ConfigureAwait(false);
        }

        var position = view.ActiveLength;
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

        return view;
    }

    private async Task<LogView> StartSegmentAsync(LogView view)
    {
        var name = _prefix + SegmentFileName.Format(view.NextLsn);
        var client = _container.Client.GetAppendBlobClient(name);

        // Never over an existing blob: that would be a second writer, or a bug, and would lose records.
        await client.CreateAsync(
            new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } }, CancellationToken.None).ConfigureAwait(false);

        _active = client;
        _activeBlocks = 0;
        _logger.SegmentStarted(Name, name);

        view = view with { Segments = view.Segments.Add(new SegmentInfo(view.NextLsn, name)), ActiveLength = 0 };
        _view = view;
        return view;
    }

    /// <summary>The segment's content (its first <paramref name="length"/> bytes if given); null if it is gone.</summary>
    private async Task<BlobDownloadStreamingResult?> DownloadAsync(string blobName, long? length, CancellationToken cancellationToken)
    {
        var options = length is { } l ? new BlobDownloadOptions { Range = new HttpRange(0, l) } : new BlobDownloadOptions();
        try
        {
            return (await _container.Client.GetBlobClient(blobName).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound && length is null)
        {
            return null;
        }
    }

    private static async Task<(ImmutableArray<SegmentInfo> Segments, ImmutableArray<long> Lengths)> ListSegmentsAsync(BlobContainer container, string prefix)
    {
        var found = new List<(SegmentInfo Segment, long Length)>();
        await foreach (var item in container.Client.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }).ConfigureAwait(false))
        {
            if (SegmentFileName.TryParse(item.Name[prefix.Length..], out var firstLsn))
            {
                found.Add((new SegmentInfo(firstLsn, item.Name), item.Properties.ContentLength ?? 0));
            }
        }

        found.Sort((a, b) => a.Segment.FirstLsn.CompareTo(b.Segment.FirstLsn));
        var segments = ImmutableArray.CreateBuilder<SegmentInfo>(found.Count);
        var lengths = ImmutableArray.CreateBuilder<long>(found.Count);
        foreach (var (segment, length) in found)
        {
            segments.Add(segment);
            lengths.Add(length);
        }

        return (segments.MoveToImmutable(), lengths.MoveToImmutable());
    }

    private static async Task<(long Length, long ValidLength, long RecordCount, int BlockCount)> RecoverTailAsync(
        AppendBlobClient segment, long listedLength, int bufferBytes)
    {
        if (listedLength == 0)
        {
            return (0, 0, 0, 0);
        }

        using var download = (await segment.DownloadStreamingAsync().ConfigureAwait(false)).Value;
        var length = download.Details.ContentLength;
        var reader = new SegmentStreamReader(download.Content, length, bufferBytes, lendBuffer: true);
        long count = 0;
        while ((await reader.ReadNextAsync(CancellationToken.None).ConfigureAwait(false)).Status == SegmentReadStatus.Record)
        {
            count++;
        }

        return (length, reader.Position, count, download.Details.BlobCommittedBlockCount);
    }
}
