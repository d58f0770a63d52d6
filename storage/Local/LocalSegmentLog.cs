using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Local;

/// <summary>
/// Opens <see cref="ISegmentLog"/>s in a local directory: segment files named by their first LSN, each a
/// sequence of framed records (u32 length, u32 CRC-32C, bytes), kept by <see cref="LocalSegmentFiles"/> under the
/// algorithm both backends share (<see cref="SegmentLog"/>). Obtain logs from <see cref="LocalSegmentLogStore"/>.
/// </summary>
/// <remarks>
/// A <c>.lock</c> file held with an exclusive lock for the log's lifetime refuses a second opener,
/// in this process or another. Appends write and fsync on the calling thread (the OS offers no
/// asynchronous fsync); put a <see cref="GroupCommitter"/> in front to batch them off the caller.
/// </remarks>
internal static class LocalSegmentLog
{
    private const string LockFileName = ".lock";

    /// <summary>
    /// Opens (creating if needed) the log stored in <paramref name="directory"/>, truncating a torn
    /// tail left by a crash from its last segment.
    /// </summary>
    public static async ValueTask<SegmentLog> OpenAsync(
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
            return new SegmentLog(name, new LocalSegmentFiles(directory, options, metrics, lockFile, active), view, options.ReadBufferBytes, logger);
        }
        catch
        {
            active?.Dispose();
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
