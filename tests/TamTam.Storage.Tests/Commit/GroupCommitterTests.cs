using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Commit;

public sealed class GroupCommitterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly StorageMetrics _metrics = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Concurrent_commits_to_a_real_log_get_distinct_increasing_lsns_in_fewer_batches()
    {
        using var root = new TempDirectory();
        await using var store = new LocalSegmentLogStore(new LocalStorageOptions { RootPath = root.Path }, _metrics, NullLogger<LocalSegmentLogStore>.Instance);
        await using var log = await store.OpenAsync("group");
        await using var committer = NewCommitter(log);

        const int callers = 300;
        var commits = new Task<long>[callers];
        for (var i = 0; i < callers; i++)
        {
            commits[i] = committer.CommitAsync(Records.Make(i + 1)).AsTask();
        }

        var lsns = await Task.WhenAll(commits).WaitAsync(Patience);

        // Queued in call order, so LSNs follow call order with no gaps or repeats.
        Assert.Equal(Enumerable.Range(1, callers).Select(i => (long)i), lsns);
        Assert.Equal(callers, committer.RecordsWritten);
        Assert.InRange(committer.BatchesWritten, 1, callers - 1);

        var read = await Records.ReadAllAsync(log);
        Assert.Equal(callers, read.Count);
        Assert.Equal(Records.Make(42), read[41].Data.ToArray());
    }

    [Fact]
    public async Task Commits_queued_during_a_write_all_go_into_the_next_single_write()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log);

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var queued = Enumerable.Range(1, 50).Select(i => committer.CommitAsync(Records.Make(i)).AsTask()).ToArray();
        Assert.Equal(50, committer.QueuedRecords);

        log.OpenGate();
        await Task.WhenAll(queued).WaitAsync(Patience);

        Assert.Equal(1, await first);
        Assert.Equal(Enumerable.Range(2, 50).Select(i => (long)i), queued.Select(t => t.Result));
        Assert.Equal([1, 50], log.BatchSizes);
        Assert.Equal(2, committer.BatchesWritten);
        Assert.Equal(51, committer.RecordsWritten);
    }

    [Fact]
    public async Task A_caller_batch_lands_whole_with_consecutive_lsns()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log);
        log.OpenGate();

        var single = await committer.CommitAsync(Records.Make(1)).AsTask().WaitAsync(Patience);
        var batch = await committer.CommitAsync(Records.Batch(2, 4)).AsTask().WaitAsync(Patience);

        Assert.Equal(1, single);
        Assert.Equal(2, batch);
        Assert.Equal(Records.Make(5), log.Records[4]);
    }

    [Fact]
    public async Task A_failed_write_faults_every_caller_in_that_batch_and_later_batches_still_run()
    {
        var failure = new IOException("disk on fire");
        var log = new GatedSegmentLog { FailAppend = n => n == 1 ? failure : null };
        await using var committer = NewCommitter(log);

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var doomed = Enumerable.Range(1, 10).Select(i => committer.CommitAsync(Records.Make(i)).AsTask()).ToArray();

        log.OpenGate();
        Assert.Equal(1, await first.WaitAsync(Patience));
        foreach (var commit in doomed)
        {
            var error = await Assert.ThrowsAsync<IOException>(() => commit.WaitAsync(Patience));
            Assert.Same(failure, error);
        }

        Assert.Equal(2, await committer.CommitAsync(Records.Make(99)).AsTask().WaitAsync(Patience));
        Assert.Equal(2, committer.BatchesWritten);
        Assert.Equal([1, 10, 1], log.BatchSizes);
    }

    [Fact]
    public async Task Callers_wait_for_room_when_the_queue_is_full_and_none_is_dropped()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log, new GroupCommitterOptions { MaxQueuedRecords = 4 });

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var more = Enumerable.Range(1, 10).Select(i => committer.CommitAsync(Records.Make(i)).AsTask()).ToArray();

        Assert.Equal(4, committer.QueuedRecords);
        Assert.All(more, t => Assert.False(t.IsCompleted));

        log.OpenGate();
        var lsns = await Task.WhenAll(more.Prepend(first)).WaitAsync(Patience);

        Assert.Equal(11, lsns.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), lsns.Order());
        Assert.All(log.BatchSizes.Skip(1), size => Assert.InRange(size, 1, 4));
    }

    [Fact]
    public async Task A_caller_waiting_for_room_can_give_up_and_its_record_is_never_written()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log, new GroupCommitterOptions { MaxQueuedRecords = 1 });

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var queued = committer.CommitAsync(Records.Make(1)).AsTask();

        using var cancel = new CancellationTokenSource();
        var waiting = committer.CommitAsync(Records.Make(2), cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));

        log.OpenGate();
        await Task.WhenAll(first, queued).WaitAsync(Patience);
        Assert.Equal(2, log.Records.Count);
    }

    [Fact]
    public async Task Batches_stop_growing_at_the_record_limit()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log, new GroupCommitterOptions { MaxBatchRecords = 8 });

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var queued = Enumerable.Range(1, 20).Select(i => committer.CommitAsync(Records.Make(i)).AsTask()).ToArray();

        log.OpenGate();
        await Task.WhenAll(queued.Append(first)).WaitAsync(Patience);

        Assert.Equal([1, 8, 8, 4], log.BatchSizes);
    }

    [Fact]
    public async Task Dispose_writes_what_is_queued_and_then_refuses_new_commits()
    {
        var log = new GatedSegmentLog();
        var committer = NewCommitter(log);

        var first = committer.CommitAsync(Records.Make(0)).AsTask();
        await log.FirstAppendStarted.WaitAsync(Patience);
        var queued = Enumerable.Range(1, 5).Select(i => committer.CommitAsync(Records.Make(i)).AsTask()).ToArray();

        var disposing = committer.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await committer.CommitAsync(Records.Make(9)));
        log.OpenGate();
        await disposing.WaitAsync(Patience);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(6, log.Records.Count);
    }

    [Fact]
    public async Task Empty_records_are_refused_up_front()
    {
        var log = new GatedSegmentLog();
        await using var committer = NewCommitter(log);

        await Assert.ThrowsAsync<ArgumentException>(async () => await committer.CommitAsync(ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<ArgumentException>(async () => await committer.CommitAsync(Array.Empty<ReadOnlyMemory<byte>>()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await committer.CommitAsync([Records.Make(1), ReadOnlyMemory<byte>.Empty]));
        Assert.Empty(log.BatchSizes);
    }

    [Fact]
    public async Task Batches_and_records_are_published_on_the_TamTam_Storage_meter()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var metrics = new StorageMetrics(meterFactory);
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (totals)
            {
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        var log = new GatedSegmentLog();
        log.OpenGate();
        await using (var committer = new GroupCommitter(log, new GroupCommitterOptions(), metrics, NullLogger<GroupCommitter>.Instance))
        {
            await committer.CommitAsync(Records.Batch(1, 3)).AsTask().WaitAsync(Patience);
            await committer.CommitAsync(Records.Make(4)).AsTask().WaitAsync(Patience);
        }

        Assert.Equal("TamTam.Storage", StorageMetrics.MeterName);
        lock (totals)
        {
            Assert.Equal(2, totals["tamtam.storage.log.batches"]);
            Assert.Equal(4, totals["tamtam.storage.log.records"]);
            Assert.Equal(400, totals["tamtam.storage.log.bytes"]);
            Assert.Equal(0, totals["tamtam.storage.log.queued_records"]);
        }
    }

    private GroupCommitter NewCommitter(ISegmentLog log, GroupCommitterOptions? options = null) =>
        new(log, options ?? new GroupCommitterOptions(), _metrics, NullLogger<GroupCommitter>.Instance);
}
