using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Internal;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Logs;

/// <summary>The segment-log contract on a local directory, plus what only a local directory has.</summary>
public sealed class LocalSegmentLogTests : SegmentLogContract
{
    private readonly TempDirectory _root = new();
    private readonly StorageMetrics _metrics = new();

    protected override ISegmentLogStore CreateStore(long segmentSizeBytes) =>
        new LocalSegmentLogStore(
            new LocalStorageOptions { RootPath = _root.Path, SegmentSizeBytes = segmentSizeBytes },
            _metrics,
            NullLogger<LocalSegmentLogStore>.Instance);

    protected override async Task AppendRawToTailAsync(string logName, byte[] bytes)
    {
        await using var file = new FileStream(LastSegment(logName), FileMode.Append, FileAccess.Write);
        await file.WriteAsync(bytes);
    }

    protected override Task CutTailAsync(string logName, int byteCount)
    {
        var path = LastSegment(logName);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(file.Length - byteCount);
        return Task.CompletedTask;
    }

    protected override int CountSegments(string logName) => Segments(logName).Length;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _metrics.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Segment_files_are_named_by_the_twenty_digit_lsn_of_their_first_record()
    {
        await using var log = await OpenAsync("names");
        await AppendVariedAsync(log, batches: 40);

        var names = Segments("names").Select(Path.GetFileName).ToArray();

        Assert.Equal("00000000000000000001.seg", names[0]);
        Assert.All(names, n => Assert.Matches("^[0-9]{20}\\.seg$", n));

        // Each later segment starts where the records before it end.
        var read = await Records.ReadAllAsync(log);
        foreach (var name in names.Skip(1))
        {
            Assert.True(SegmentFileName.TryParse(name!, out var firstLsn));
            Assert.Contains(read, r => r.Lsn == firstLsn);
        }
    }

    [Fact]
    public async Task A_log_lives_in_a_directory_named_by_its_encoded_name()
    {
        var store = (LocalSegmentLogStore)NewStore();
        await using var log = await store.OpenAsync("links/billing");
        await log.AppendAsync(Records.Batch(1, 1));

        Assert.Equal(Path.Combine(_root.Path, "logs", "links%2Fbilling"), store.GetLogDirectory("links/billing"));
        Assert.True(Directory.Exists(store.GetLogDirectory("links/billing")));
    }

    [Fact]
    public async Task A_second_store_cannot_open_a_log_that_is_open()
    {
        await using var log = await OpenAsync("exclusive");

        var other = NewStore();
        var refused = await Assert.ThrowsAsync<IOException>(async () => await other.OpenAsync("exclusive"));
        Assert.Contains("one writer", refused.Message, StringComparison.Ordinal);

        await log.DisposeAsync();
        await using var reopened = await other.OpenAsync("exclusive");
        Assert.Equal(1, reopened.NextLsn);
    }

    [Fact]
    public async Task A_damaged_record_inside_a_sealed_segment_is_reported_not_skipped()
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync("damaged"))
        {
            await AppendVariedAsync(log, batches: 40);
        }

        await CloseStoreAsync(store);
        var first = Segments("damaged")[0];
        var bytes = await File.ReadAllBytesAsync(first);
        bytes[20] ^= 0xFF;
        await File.WriteAllBytesAsync(first, bytes);

        await using var reopened = await OpenAsync("damaged");
        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => Records.ReadAllAsync(reopened));
        Assert.Equal(first, error.Path);
    }

    [Fact]
    public async Task A_zero_filled_tail_is_treated_as_torn()
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync("zeros"))
        {
            await log.AppendAsync(Records.Batch(1, 2));
        }

        await CloseStoreAsync(store);
        await AppendRawToTailAsync("zeros", new byte[64]);

        await using var reopened = await OpenAsync("zeros");
        Assert.Equal(3, reopened.NextLsn);
        Assert.Equal(2 * (8 + 100), new FileInfo(LastSegment("zeros")).Length);
    }

    [Fact]
    public async Task A_batch_larger_than_a_segment_goes_whole_into_a_fresh_segment()
    {
        await using var log = await OpenAsync("big-batch");
        await log.AppendAsync(Records.Batch(1, 1));

        var first = await log.AppendAsync(Records.Batch(2, 3, size: (int)SmallSegmentBytes));

        Assert.Equal(2, first);
        Assert.Equal(2, CountSegments("big-batch"));
        Assert.Equal(4, (await Records.ReadAllAsync(log)).Count);
    }

    private string[] Segments(string logName)
    {
        var directory = Path.Combine(_root.Path, LocalSegmentLogStore.LogsFolder, PathNameEncoder.Encode(logName));
        return Directory.GetFiles(directory, "*.seg").Order(StringComparer.Ordinal).ToArray();
    }

    private string LastSegment(string logName) => Segments(logName)[^1];
}
