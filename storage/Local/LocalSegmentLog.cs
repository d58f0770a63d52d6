using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Local;

/// <summary>
/// An <see cref="ISegmentLog"/> in a local directory: segment files named by their first LSN, each a
/// sequence of framed records (u32 length, u32 CRC-32C, bytes). Obtain one from
/// <see cref="LocalSegmentLogStore"/>.
/// </summary>
/// <remarks>
/// A <c>.lock</c> file held with an exclusive lock for the log's lifetime refuses a second opener,
/// in this process or another. Appends write and fsync on the calling thread (the OS offers no
/// asynchronous fsync); put a <see cref="GroupCommitter"/> in front to batch them off the caller.
/// </remarks>
internal sealed class LocalSegmentLog : ISegmentLog
{
    private const string LockFileName = ".lock";

    private readonly string _directory;
    private readonly long _segmentSizeBytes;
    private readonly int _readBufferBytes;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly FileStream _lockFile;

    // Serializes appends, truncations and disposal; readers go by _view alone.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private volatile LogView _view;
    private SafeFileHandle? _active;
    private Exception? _fault;
    private bool _disposed;

    private LocalSegmentLog(
        string name, string directory, LocalStorageOptions options, StorageMetrics metrics, ILogger logger,
        FileStream lockFile, LogView view, SafeFileHandle? active)
    {
        Name = name;
        _directory = directory;
        _segmentSizeBytes = options.SegmentSizeBytes;
        _readBufferBytes = options.ReadBufferBytes;
        _metrics = metrics;
        _logger = logger;
        _lockFile = lockFile;
        _view = view;
        _active = active;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long FirstLsn => _view.FirstLsn;

    /// <inheritdoc/>
    public long NextLsn => _view.NextLsn;

    /// <summary>
    /// Opens (creating if needed) the log stored in <paramref name="directory"/>, truncating a torn
    /// tail left by a crash from its last segment.
    /// </summary>
    public static async ValueTask<LocalSegmentLog> OpenAsync(
        string name, string directory, LocalStorageOptions options, StorageMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        DirectorySync.CreateDurably(directory);

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"Segment log '{name}' is already open elsewhere (its lock file in '{directory}' is held); a log has one writer at a time.", ex);
        }

        SafeFileHandle? active = null;
        try
        {
            var segments = ListSegments(directory);
            var view = LogView.Empty;
            if (!segments.IsEmpty)
            {
                var last = segments[^1];
                active = File.OpenHandle(last.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
                var (validLength, recordCount) = await RecoverTailAsync(name, last, active, options.ReadBufferBytes, logger, cancellationToken).ConfigureAwait(false);
                view = new LogView(segments, validLength, last.FirstLsn + recordCount);
            }

            logger.LogOpened(name, view.FirstLsn, view.NextLsn, view.Segments.Length);
            return new LocalSegmentLog(name, directory, options, metrics, logger, lockFile, view, active);
        }
        catch
        {
            active?.Dispose();
            await lockFile.DisposeAsync().ConfigureAwait(false);
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

                view = WriteDurably(view, buffer.AsSpan(0, written));
            }
            catch (Exception ex)
            {
                // Whatever reached the file past the durable end is unknown now; refuse to write after it.
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

            SafeFileHandle file;
            try
            {
                file = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException) when (!isActive)
            {
                // Truncated away after this enumeration took its snapshot: those records were released.
                continue;
            }

            using (file)
            {
                var length = isActive ? view.ActiveLength : RandomAccess.GetLength(file);
                var reader = new SegmentFileReader(file, length, _readBufferBytes, lendBuffer: false);
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

                if (!isActive && (await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false)).Status != SegmentReadStatus.End)
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
                    File.Delete(segments[deleted].Path);
                }

                DirectorySync.Flush(_directory);
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
            _active?.Dispose();
            await _lockFile.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Released, not disposed: appends queued behind disposal must wake up and see _disposed.
            _writeGate.Release();
        }
    }

    private LogView WriteDurably(LogView view, ReadOnlySpan<byte> frames)
    {
        if (_active is null || (view.ActiveLength > 0 && view.ActiveLength + frames.Length > _segmentSizeBytes))
        {
            view = StartSegment(view);
        }

        RandomAccess.Write(_active!, frames, view.ActiveLength);

        var started = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(_active!);
        _metrics.LogFsyncDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return view;
    }

    private LogView StartSegment(LogView view)
    {
        var segment = new SegmentInfo(view.NextLsn, Path.Combine(_directory, SegmentFileName.Format(view.NextLsn)));
        var file = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

        // The new file's name must be durable before any record in it is acknowledged.
        DirectorySync.Flush(_directory);

        // The previous segment is complete and fsynced; from here on it is sealed and read-only.
        _active?.Dispose();
        _active = file;
        _logger.SegmentStarted(Name, Path.GetFileName(segment.Path));

        view = view with { Segments = view.Segments.Add(segment), ActiveLength = 0 };
        _view = view;
        return view;
    }

    private static ImmutableArray<SegmentInfo> ListSegments(string directory)
    {
        var segments = ImmutableArray.CreateBuilder<SegmentInfo>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + SegmentFileName.Extension))
        {
            if (SegmentFileName.TryParse(Path.GetFileName(path), out var firstLsn))
            {
                segments.Add(new SegmentInfo(firstLsn, path));
            }
        }

        segments.Sort((a, b) => a.FirstLsn.CompareTo(b.FirstLsn));
        return segments.ToImmutable();
    }

    private static async ValueTask<(long ValidLength, long RecordCount)> RecoverTailAsync(
        string name, SegmentInfo segment, SafeFileHandle file, int bufferBytes, ILogger logger, CancellationToken cancellationToken)
    {
        var fileLength = RandomAccess.GetLength(file);
        var reader = new SegmentFileReader(file, fileLength, bufferBytes, lendBuffer: true);
        long count = 0;
        while ((await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false)).Status == SegmentReadStatus.Record)
        {
            count++;
        }

        if (reader.Position < fileLength)
        {
            // A crash mid-append leaves a short or garbled last record; the append never completed,
            // so nobody was told it was durable. Cut it off before writing anything after it.
            RandomAccess.SetLength(file, reader.Position);
            RandomAccess.FlushToDisk(file);
            logger.TornTailTruncated(name, Path.GetFileName(segment.Path), fileLength, reader.Position, count);
        }

        return (reader.Position, count);
    }
}
