using System.Collections.Concurrent;
using TamTam.Storage;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// The silo's real segment log store with a switch per log: while a log's writes are failing, every append to it
/// throws as a full disk does (nothing is written). Counts how often each log was read from its start (a replay),
/// so that tests see how often a link replayed.
/// </summary>
public sealed class FaultyLogStore(ISegmentLogStore inner) : ISegmentLogStore
{
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _replays = new(StringComparer.Ordinal);

    /// <summary>Appends to <paramref name="name"/> fail from now on, until <see cref="Heal"/>.</summary>
    public void FailWrites(string name) => _failing[name] = true;

    public void Heal(string name) => _failing.TryRemove(name, out _);

    /// <summary>How many times log <paramref name="name"/> was read from its start.</summary>
    public int Replays(string name) => _replays.GetValueOrDefault(name);

    public async ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default) =>
        new Log(this, await inner.OpenAsync(name, cancellationToken));

    private sealed class Log(FaultyLogStore store, ISegmentLog inner) : ISegmentLog
    {
        public string Name => inner.Name;

        public long FirstLsn => inner.FirstLsn;

        public long NextLsn => inner.NextLsn;

        public long ActiveSegmentFirstLsn => inner.ActiveSegmentFirstLsn;

        public ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default) =>
            store._failing.ContainsKey(Name)
                ? ValueTask.FromException<long>(new IOException("No space left on device"))
                : inner.AppendAsync(records, cancellationToken);

        public IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken = default)
        {
            store._replays.AddOrUpdate(Name, 1, (_, n) => n + 1);
            return inner.ReadAsync(fromLsn, cancellationToken);
        }

        public ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default) => inner.TruncateBeforeAsync(lsn, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
