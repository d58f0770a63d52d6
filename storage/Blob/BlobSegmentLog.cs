using System.Collections.Immutable;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using TamTam.Storage.Blob.Internal;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob;

/// <summary>
/// Opens <see cref="ISegmentLog"/>s on Azure Blob Storage: append blobs named by their first LSN under the
/// log's prefix, each a sequence of records framed exactly as in a local segment file (u32 length,
/// u32 CRC-32C, bytes), kept by <see cref="AppendBlobSegments"/> under the algorithm both backends share
/// (<see cref="SegmentLog"/>). Obtain logs from <see cref="BlobSegmentLogStore"/>.
/// </summary>
/// <remarks>
/// Append blobs cannot be shortened, so recovery does not cut a torn tail off: it notes where the
/// last whole record ends and starts a new segment for the next append. A sealed segment is read
/// only up to the records its successor's name accounts for, so those bytes never reappear. A
/// lease on the log's lock blob stands for the local <c>.lock</c> file.
/// </remarks>
internal static class BlobSegmentLog
{
    /// <summary>
    /// Opens (creating if needed) the log stored under <paramref name="prefix"/>: takes the lease, lists
    /// the segments and scans the last one for a torn tail.
    /// </summary>
    public static async Task<SegmentLog> OpenAsync(
        string name, BlobContainer container, string prefix, BlobStorageOptions options, StorageMetrics metrics, ILeaseHolderLiveness? liveness, ILogger logger)
    {
        await container.EnsureCreatedAsync().ConfigureAwait(false);
        var lease = await BlobLogLease.AcquireAsync(
            container.Client, prefix + BlobLogLease.LockBlobName, name, options.LeaseDuration, options.LeaseWait, liveness, logger, CancellationToken.None).ConfigureAwait(false);
        try
        {
            var (segments, lengths) = await ListSegmentsAsync(container, prefix).ConfigureAwait(false);
            var view = LogView.Empty;
            AppendBlobClient? active = null;
            var activeBlocks = 0;
            BinaryData? keptTail = null;
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
                    keptTail = tail.Bytes;
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
            var medium = new AppendBlobSegments(container, prefix, options, metrics, lease, active, activeBlocks, keptTail);
            return new SegmentLog(name, medium, view, options.ReadBufferBytes, logger);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
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

    /// <summary>
    /// Reads the last segment whole to count its records and find where a torn tail starts. A segment no larger than
    /// one reader's buffer is downloaded into memory and returned as <c>Bytes</c>, so that the replay right after the
    /// open reads it from there instead of downloading it a second time.
    /// </summary>
    private static async Task<(long Length, long ValidLength, long RecordCount, int BlockCount, BinaryData? Bytes)> RecoverTailAsync(
        AppendBlobClient segment, long listedLength, int bufferBytes)
    {
        if (listedLength == 0)
        {
            return (0, 0, 0, 0, null);
        }

        if (listedLength <= bufferBytes)
        {
            var content = (await segment.DownloadContentAsync().ConfigureAwait(false)).Value;
            var bytes = content.Content;
            var length = bytes.ToMemory().Length;
            var (validLength, records) = await CountRecordsAsync(bytes.ToStream(), length, bufferBytes).ConfigureAwait(false);
            return (length, validLength, records, content.Details.BlobCommittedBlockCount, bytes);
        }

        using var download = (await segment.DownloadStreamingAsync().ConfigureAwait(false)).Value;
        var contentLength = download.Details.ContentLength;
        var (valid, count) = await CountRecordsAsync(download.Content, contentLength, bufferBytes).ConfigureAwait(false);
        return (contentLength, valid, count, download.Details.BlobCommittedBlockCount, null);
    }

    private static async Task<(long ValidLength, long RecordCount)> CountRecordsAsync(Stream content, long length, int bufferBytes)
    {
        var reader = new SegmentStreamReader(content, length, bufferBytes, lendBuffer: true);
        long count = 0;
        while ((await reader.ReadNextAsync(CancellationToken.None).ConfigureAwait(false)).Status == SegmentReadStatus.Record)
        {
            count++;
        }

        return (reader.Position, count);
    }
}
