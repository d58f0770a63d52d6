using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Logs;

/// <summary>
/// What every <see cref="ISegmentLog"/> backend must do. A backend's test class derives from this and
/// supplies stores over one location per test, plus the two ways to damage a tail that a crash can.
/// </summary>
public abstract class SegmentLogContract : IAsyncLifetime
{
    /// <summary>Small enough that a few dozen 100-byte records roll a segment.</summary>
    protected const long SmallSegmentBytes = 4096;

    private readonly List<ISegmentLogStore> _stores = [];

    /// <summary>A new store over this test's location; every call must see the same data.</summary>
    protected abstract ISegmentLogStore CreateStore(long segmentSizeBytes);

    /// <summary>Appends raw bytes after the last record of the log's last segment, as a torn write would.</summary>
    protected abstract Task AppendRawToTailAsync(string logName, byte[] bytes);

    /// <summary>Cuts <paramref name="byteCount"/> bytes off the end of the log's last segment.</summary>
    protected abstract Task CutTailAsync(string logName, int byteCount);

    /// <summary>How many segments the log has in storage.</summary>
    protected abstract int CountSegments(string logName);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await CloseStoreAsync(store);
        }
    }

    [Fact]
    public async Task Empty_log_starts_at_lsn_one_and_reads_nothing()
    {
        await using var log = await OpenAsync("empty");

        Assert.Equal(1, log.NextLsn);
        Assert.Equal(1, log.FirstLsn);
        Assert.Empty(await Records.ReadAllAsync(log));
    }

    [Fact]
    public async Task Lsns_number_records_from_one_and_a_batch_gets_consecutive_lsns()
    {
        await using var log = await OpenAsync("lsns");

        Assert.Equal(1, await log.AppendAsync(Records.Batch(1, 3)));
        Assert.Equal(4, await log.AppendAsync(Records.Batch(4, 1)));
        Assert.Equal(5, await log.AppendAsync(Records.Batch(5, 2)));
        Assert.Equal(7, log.NextLsn);

        var fromThree = await Records.ReadAllAsync(log, fromLsn: 3);
        Assert.Equal([3L, 4, 5, 6], fromThree.Select(r => r.Lsn));
        Assert.Equal(Records.Make(3), fromThree[0].Data.ToArray());
    }

    [Fact]
    public async Task Records_read_back_in_order_across_segment_rolls()
    {
        await using var log = await OpenAsync("rolls");
        var expected = await AppendVariedAsync(log, batches: 60);

        var read = await Records.ReadAllAsync(log);

        Assert.True(CountSegments("rolls") > 3, "the test should span several segments");
        AssertRecords(expected, read, firstLsn: 1);
    }

    [Fact]
    public async Task The_active_segment_starts_where_the_last_roll_put_it_and_survives_reopening()
    {
        var store = NewStore();
        long activeFirst;
        await using (var log = await store.OpenAsync("active"))
        {
            Assert.Equal(1, log.ActiveSegmentFirstLsn);
            await AppendVariedAsync(log, batches: 60);
            activeFirst = log.ActiveSegmentFirstLsn;
            Assert.InRange(activeFirst, 2, log.NextLsn - 1);

            // The active segment is the newest one, and holds every record from its first on.
            var read = await Records.ReadAllAsync(log, fromLsn: activeFirst);
            Assert.Equal(log.NextLsn - activeFirst, read.Count);
            await log.TruncateBeforeAsync(long.MaxValue);
            Assert.Equal(activeFirst, log.FirstLsn);
            Assert.Equal(activeFirst, log.ActiveSegmentFirstLsn);
        }

        await CloseStoreAsync(store);

        await using var reopened = await OpenAsync("active");
        Assert.Equal(activeFirst, reopened.ActiveSegmentFirstLsn);
    }

    [Fact]
    public async Task Reading_from_the_middle_of_a_later_segment_starts_at_that_record()
    {
        await using var log = await OpenAsync("seek");
        var expected = await AppendVariedAsync(log, batches: 60);

        var read = await Records.ReadAllAsync(log, fromLsn: 150);

        AssertRecords(expected.Skip(149).ToList(), read, firstLsn: 150);
    }

    [Fact]
    public async Task Reading_past_the_end_yields_nothing()
    {
        await using var log = await OpenAsync("past-end");
        await log.AppendAsync(Records.Batch(1, 2));

        Assert.Empty(await Records.ReadAllAsync(log, fromLsn: 3));
        Assert.Empty(await Records.ReadAllAsync(log, fromLsn: 1000));
    }

    [Fact]
    public async Task A_read_sees_the_records_durable_when_it_started()
    {
        await using var log = await OpenAsync("snapshot");
        await log.AppendAsync(Records.Batch(1, 3));

        var seen = new List<long>();
        await foreach (var record in log.ReadAsync(1))
        {
            seen.Add(record.Lsn);
            if (record.Lsn == 1)
            {
                await log.AppendAsync(Records.Batch(4, 2));
            }
        }

        Assert.Equal([1L, 2, 3], seen);
        Assert.Equal(5, (await Records.ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task Reopening_after_dispose_keeps_every_record_and_continues_the_numbering()
    {
        List<byte[]> expected;
        var store = NewStore();
        await using (var log = await store.OpenAsync("reopen"))
        {
            expected = await AppendVariedAsync(log, batches: 40);
        }

        await CloseStoreAsync(store);

        await using var reopened = await OpenAsync("reopen");
        Assert.Equal(expected.Count + 1, reopened.NextLsn);
        AssertRecords(expected, await Records.ReadAllAsync(reopened), firstLsn: 1);

        Assert.Equal(expected.Count + 1, await reopened.AppendAsync(Records.Batch(9000, 1)));
    }

    [Fact]
    public async Task Garbage_after_the_last_record_is_cut_off_on_reopen_and_earlier_records_survive()
    {
        var store = NewStore();
        List<byte[]> expected;
        await using (var log = await store.OpenAsync("garbage"))
        {
            expected = await AppendVariedAsync(log, batches: 30);
        }

        await CloseStoreAsync(store);

        // A header claiming 50 bytes, with a CRC that cannot match, and only some of the bytes.
        await AppendRawToTailAsync("garbage", [50, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3]);

        await using var reopened = await OpenAsync("garbage");
        Assert.Equal(expected.Count + 1, reopened.NextLsn);
        AssertRecords(expected, await Records.ReadAllAsync(reopened), firstLsn: 1);

        // The torn bytes are gone: a new record lands where they were and reads back intact.
        var next = await reopened.AppendAsync(Records.Batch(777, 1));
        var tail = await Records.ReadAllAsync(reopened, next);
        Assert.Equal(Records.Make(777), Assert.Single(tail).Data.ToArray());
    }

    [Fact]
    public async Task A_record_cut_mid_way_is_dropped_on_reopen_and_earlier_records_survive()
    {
        var store = NewStore();
        List<byte[]> expected;
        await using (var log = await store.OpenAsync("cut"))
        {
            expected = await AppendVariedAsync(log, batches: 30);
        }

        await CloseStoreAsync(store);
        await CutTailAsync("cut", 10);

        await using var reopened = await OpenAsync("cut");
        Assert.Equal(expected.Count, reopened.NextLsn);
        AssertRecords(expected.Take(expected.Count - 1).ToList(), await Records.ReadAllAsync(reopened), firstLsn: 1);
    }

    [Fact]
    public async Task A_record_with_a_flipped_crc_at_the_tail_is_dropped_on_reopen()
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync("flipped"))
        {
            await log.AppendAsync(Records.Batch(1, 3));
        }

        await CloseStoreAsync(store);

        // The same length as a real record, but the bytes do not match the CRC.
        var bogus = new byte[8 + 20];
        bogus[0] = 20;
        await AppendRawToTailAsync("flipped", bogus);

        await using var reopened = await OpenAsync("flipped");
        Assert.Equal(4, reopened.NextLsn);
        Assert.Equal(3, (await Records.ReadAllAsync(reopened)).Count);
    }

    [Fact]
    public async Task Truncate_before_deletes_only_segments_whose_records_are_all_below_the_lsn()
    {
        await using var log = await OpenAsync("truncate");
        var expected = await AppendVariedAsync(log, batches: 60);
        var segmentsBefore = CountSegments("truncate");

        await log.TruncateBeforeAsync(200);

        Assert.True(CountSegments("truncate") < segmentsBefore);
        Assert.InRange(log.FirstLsn, 2, 200);

        // What is left starts at a segment boundary at or below 200 and is complete from there.
        var read = await Records.ReadAllAsync(log);
        Assert.Equal(log.FirstLsn, read[0].Lsn);
        AssertRecords(expected.Skip((int)log.FirstLsn - 1).ToList(), read, firstLsn: log.FirstLsn);

        // Asking for a truncated record starts at the first one kept.
        Assert.Equal(log.FirstLsn, (await Records.ReadAllAsync(log, fromLsn: 1))[0].Lsn);
    }

    [Fact]
    public async Task Truncation_survives_reopening()
    {
        var store = NewStore();
        long firstKept;
        await using (var log = await store.OpenAsync("truncate-reopen"))
        {
            await AppendVariedAsync(log, batches: 60);
            await log.TruncateBeforeAsync(200);
            firstKept = log.FirstLsn;
        }

        await CloseStoreAsync(store);

        await using var reopened = await OpenAsync("truncate-reopen");
        Assert.Equal(firstKept, reopened.FirstLsn);
        Assert.Equal(firstKept, (await Records.ReadAllAsync(reopened))[0].Lsn);
    }

    [Fact]
    public async Task Truncate_never_deletes_the_segment_being_written()
    {
        await using var log = await OpenAsync("truncate-all");
        await AppendVariedAsync(log, batches: 30);
        var next = log.NextLsn;

        await log.TruncateBeforeAsync(long.MaxValue);

        Assert.Equal(1, CountSegments("truncate-all"));
        Assert.Equal(next, log.NextLsn);
        Assert.Equal(next, await log.AppendAsync(Records.Batch(1, 1)));
        Assert.Equal(next, (await Records.ReadAllAsync(log, next))[0].Lsn);
    }

    [Fact]
    public async Task Concurrent_appends_are_serialized_into_distinct_contiguous_ranges()
    {
        await using var log = await OpenAsync("concurrent");

        var appends = Enumerable.Range(0, 20)
            .Select(i => Task.Run(async () => (First: await log.AppendAsync(Records.Batch(i * 10, 3)), Index: i)))
            .ToArray();
        var results = await Task.WhenAll(appends);

        Assert.Equal(61, log.NextLsn);
        Assert.Equal(20, results.Select(r => r.First).Distinct().Count());
        var read = await Records.ReadAllAsync(log);
        foreach (var (first, index) in results)
        {
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(Records.Make(index * 10 + k), read[(int)first - 1 + k].Data.ToArray());
            }
        }
    }

    [Fact]
    public async Task Empty_records_are_refused_and_nothing_of_the_batch_is_written()
    {
        await using var log = await OpenAsync("refuse-empty");

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await log.AppendAsync([Records.Make(1), ReadOnlyMemory<byte>.Empty]));

        Assert.Equal(1, log.NextLsn);
        Assert.Empty(await Records.ReadAllAsync(log));
    }

    [Fact]
    public async Task Opening_an_open_name_again_shares_the_log_until_the_last_handle_closes()
    {
        var store = NewStore();
        var first = await store.OpenAsync("shared");
        var second = await store.OpenAsync("shared");

        await first.AppendAsync(Records.Batch(1, 2));
        Assert.Equal(3, second.NextLsn);

        await first.DisposeAsync();
        Assert.Equal(3, await second.AppendAsync(Records.Batch(3, 1)));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await first.AppendAsync(Records.Batch(9, 1)));

        await second.DisposeAsync();
        await using var third = await store.OpenAsync("shared");
        Assert.Equal(4, third.NextLsn);
    }

    [Theory]
    [InlineData("links/billing")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("%2E")]
    [InlineData("inbox:node-7 \u00e9\u65e5\u672c")]
    public async Task Any_name_is_its_own_log(string name)
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync(name))
        {
            await log.AppendAsync(Records.Batch(1, 2));
        }

        await using (var other = await store.OpenAsync(name + "x"))
        {
            Assert.Equal(1, other.NextLsn);
        }

        await CloseStoreAsync(store);
        await using var reopened = await OpenAsync(name);
        Assert.Equal(3, reopened.NextLsn);
    }

    /// <summary>A store that is closed when the test ends (closing it earlier is fine too).</summary>
    protected ISegmentLogStore NewStore(long segmentSizeBytes = SmallSegmentBytes)
    {
        var store = CreateStore(segmentSizeBytes);
        _stores.Add(store);
        return store;
    }

    protected async Task<ISegmentLog> OpenAsync(string name, long segmentSizeBytes = SmallSegmentBytes) =>
        await NewStore(segmentSizeBytes).OpenAsync(name);

    /// <summary>Appends batches of 1 to 5 records of 40 to 400 bytes; returns every record in order.</summary>
    protected static async Task<List<byte[]>> AppendVariedAsync(ISegmentLog log, int batches)
    {
        var random = new Random(batches);
        var records = new List<byte[]>();
        for (var b = 0; b < batches; b++)
        {
            var count = random.Next(1, 6);
            var batch = new ReadOnlyMemory<byte>[count];
            for (var i = 0; i < count; i++)
            {
                var record = Records.Make(records.Count + 1, random.Next(40, 400));
                records.Add(record);
                batch[i] = record;
            }

            var first = await log.AppendAsync(batch);
            Assert.Equal(records.Count - count + 1, first);
        }

        return records;
    }

    protected static void AssertRecords(IReadOnlyList<byte[]> expected, IReadOnlyList<LogRecord> actual, long firstLsn)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(firstLsn + i, actual[i].Lsn);
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i].Data.Span), $"record {firstLsn + i} differs");
        }
    }

    protected static async Task CloseStoreAsync(ISegmentLogStore store)
    {
        if (store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
