using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace TamTam.Storage.Internal;

/// <summary>
/// The <see cref="ISegmentLog"/> algorithm both backends share, over an <see cref="ISegmentMedium"/>: records framed
/// (u32 length, u32 CRC-32C, bytes) into one buffer per batch, appended under one writer gate, the log faulted by
/// a failed append, a snapshot (<see cref="LogView"/>) that readers read exactly, truncation oldest segment first.
/// Obtain one from <c>LocalSegmentLogStore</c> or <c>BlobSegmentLogStore</c>.
/// </summary>
internal sealed class SegmentLog : ISegmentLog
{
    private readonly ISegmentMedium _medium;
    private readonly int _readBufferBytes;
    private readonly ILogger _logger;

    // Serializes appends, truncations and disposal; readers go by _view alone.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private volatile LogView _view;
    private Exception? _fault;
    private bool _disposed;

    public SegmentLog(string name, ISegmentMedium medium, LogView view, int readBufferBytes, ILogger logger)
    {
        Name = name;
        _medium = medium;
        _view = view;
        _readBufferBytes = readBufferBytes;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long FirstLsn => _view.FirstLsn;

    /// <inheritdoc/>
    public long NextLsn => _view.NextLsn;

    /// <inheritdoc/>
    public long ActiveSegmentFirstLsn => _view.ActiveFirstLsn;

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
            _fault ??= _medium.LostReason;
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
                // Whatever reached the medium past the durable end is unknown now; refuse to write after it.
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

            var opened = await _medium.OpenReadAsync(segment, isActive ? view.ActiveLength : null, _readBufferBytes, cancellationToken).ConfigureAwait(false);
            if (opened is null)
            {
                // Truncated away after this enumeration took its snapshot: those records were released.
                continue;
            }

            using (opened)
            {
                var reader = opened.Reader;
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

                if (!isActive)
                {
                    // A torn tail recovery could not cut off may follow the last record where the medium allows it;
                    // another whole record may never.
                    var after = (await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false)).Status;
                    if (_medium.SealedSegmentsMayEndTorn ? after == SegmentReadStatus.Record : after != SegmentReadStatus.End)
                    {
                        throw new StorageCorruptionException(segment.Path, $"the segment holds more than the {endLsn - segment.FirstLsn} records its successor's name allows.");
                    }
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
                    await _medium.DeleteAsync(segments[deleted]).ConfigureAwait(false);
                }

                await _medium.DeletionsDoneAsync().ConfigureAwait(false);
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
            await _medium.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Released, not disposed: appends queued behind disposal must wake up and see _disposed.
            _writeGate.Release();
        }
    }

    private async ValueTask<LogView> WriteDurablyAsync(LogView view, byte[] frames, int length)
    {
        if (_medium.NeedsNewSegment(view, length))
        {
            // The previous segment is complete and durable; from here on it is sealed and read-only.
            var segment = await _medium.StartSegmentAsync(view.NextLsn).ConfigureAwait(false);
            _logger.SegmentStarted(Name, _medium.NameInLogs(segment));
            view = view with { Segments = view.Segments.Add(segment), ActiveLength = 0 };
            _view = view;
        }

        await _medium.AppendAsync(frames, length, view.ActiveLength).ConfigureAwait(false);
        return view;
    }
}
