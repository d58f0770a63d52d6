namespace TamTam.Storage.Internal;

/// <summary>
/// One caller's handle on a log shared through a <see cref="SharedLogTable"/>. Disposing the handle
/// releases it exactly once; the log itself closes when its last handle is released.
/// </summary>
internal sealed class SegmentLogHandle : ISegmentLog
{
    private readonly ISegmentLog _log;
    private readonly Func<ValueTask> _release;
    private int _released;

    public SegmentLogHandle(ISegmentLog log, Func<ValueTask> release)
    {
        _log = log;
        _release = release;
    }

    public string Name => _log.Name;

    public long FirstLsn => _log.FirstLsn;

    public long NextLsn => _log.NextLsn;

    public long ActiveSegmentFirstLsn => _log.ActiveSegmentFirstLsn;

    public ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default)
    {
        ThrowIfReleased();
        return _log.AppendAsync(records, cancellationToken);
    }

    public IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken = default)
    {
        ThrowIfReleased();
        return _log.ReadAsync(fromLsn, cancellationToken);
    }

    public ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default)
    {
        ThrowIfReleased();
        return _log.TruncateBeforeAsync(lsn, cancellationToken);
    }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _release() : ValueTask.CompletedTask;

    private void ThrowIfReleased() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
}
