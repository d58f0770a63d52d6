using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Local.Internal;

/// <summary>
/// A log's segments as files in its directory, named by their first LSN. A <c>.lock</c> file held with an exclusive
/// lock for the log's lifetime refuses a second opener, in this process or another. Appends write and fsync on the
/// calling thread (the OS offers no asynchronous fsync).
/// </summary>
internal sealed class LocalSegmentFiles : ISegmentMedium
{
    private readonly string _directory;
    private readonly long _segmentSizeBytes;
    private readonly StorageMetrics _metrics;
    private readonly FileStream _lockFile;
    private SafeFileHandle? _active;

    public LocalSegmentFiles(string directory, LocalStorageOptions options, StorageMetrics metrics, FileStream lockFile, SafeFileHandle? active)
    {
        _directory = directory;
        _segmentSizeBytes = options.SegmentSizeBytes;
        _metrics = metrics;
        _lockFile = lockFile;
        _active = active;
    }

    public Exception? LostReason => null;

    // A torn tail is cut off at open, so a sealed segment ends exactly after its last record.
    public bool SealedSegmentsMayEndTorn => false;

    public bool NeedsNewSegment(LogView view, int frameBytes) =>
        _active is null || (view.ActiveLength > 0 && view.ActiveLength + frameBytes > _segmentSizeBytes);

    public ValueTask<SegmentInfo> StartSegmentAsync(long firstLsn)
    {
        var segment = new SegmentInfo(firstLsn, Path.Combine(_directory, SegmentFileName.Format(firstLsn)));
        var file = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

        // The new file's name must be durable before any record in it is acknowledged.
        DirectorySync.Flush(_directory);

        _active?.Dispose();
        _active = file;
        return ValueTask.FromResult(segment);
    }

    public string NameInLogs(SegmentInfo segment) => Path.GetFileName(segment.Path);

    public ValueTask AppendAsync(byte[] frames, int length, long position)
    {
        RandomAccess.Write(_active!, frames.AsSpan(0, length), position);

        var started = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(_active!);
        _metrics.LogFsyncDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return ValueTask.CompletedTask;
    }

    public ValueTask<OpenedSegment?> OpenReadAsync(SegmentInfo segment, long? activeLength, int bufferBytes, CancellationToken cancellationToken)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException) when (activeLength is null)
        {
            return ValueTask.FromResult<OpenedSegment?>(null);
        }

        try
        {
            var length = activeLength ?? RandomAccess.GetLength(file);
            return ValueTask.FromResult<OpenedSegment?>(new OpenedSegment(new SegmentFileReader(file, length, bufferBytes, lendBuffer: false), file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public ValueTask DeleteAsync(SegmentInfo segment)
    {
        File.Delete(segment.Path);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeletionsDoneAsync()
    {
        DirectorySync.Flush(_directory);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _active?.Dispose();
        await _lockFile.DisposeAsync().ConfigureAwait(false);
    }
}
