using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Logs;

/// <summary>The segment-log contract on Azure Blob Storage (Azurite), plus what only blobs have.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobSegmentLogTests(AzuriteFixture azurite) : SegmentLogContract
{
    private readonly BlobStorageOptions _options = azurite.NewOptions();
    private readonly StorageMetrics _metrics = new();

    protected override ISegmentLogStore CreateStore(long segmentSizeBytes) =>
        new BlobSegmentLogStore(_options with { SegmentSizeBytes = segmentSizeBytes }, _metrics, NullLogger<BlobSegmentLogStore>.Instance);

    protected override async Task AppendRawToTailAsync(string logName, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await AppendBlob(LastSegment(logName)).AppendBlockAsync(content);
    }

    protected override async Task CutTailAsync(string logName, int byteCount)
    {
        // Append blobs cannot shrink: write the blob again, shorter, as a crash mid-append would leave it.
        var blob = AppendBlob(LastSegment(logName));
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        await blob.DeleteAsync();
        await blob.CreateAsync();
        using var content = new MemoryStream(bytes, 0, bytes.Length - byteCount);
        await blob.AppendBlockAsync(content);
    }

    protected override int CountSegments(string logName) => Segments(logName).Count;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _metrics.Dispose();
    }

    [Fact]
    public async Task Segments_are_append_blobs_named_by_the_twenty_digit_lsn_of_their_first_record_beside_a_lock_blob()
    {
        await using var log = await OpenAsync("links/billing");
        await AppendVariedAsync(log, batches: 40);

        var prefix = BlobSegmentLogStore.GetLogPrefix("links/billing");
        Assert.Equal("logs/links%2Fbilling/", prefix);
        var segments = Segments("links/billing");
        Assert.Equal(prefix + "00000000000000000001.seg", segments[0]);
        Assert.All(segments, s => Assert.Matches("^logs/links%2Fbilling/[0-9]{20}\\.seg$", s));
        Assert.Equal(BlobType.Append, (await AppendBlob(segments[0]).GetPropertiesAsync()).Value.BlobType);
        var lockBlob = (await Container().GetBlobClient(prefix + ".lock").GetPropertiesAsync()).Value;
        Assert.Equal(LeaseState.Leased, lockBlob.LeaseState);
    }

    [Fact]
    public async Task A_second_store_cannot_open_a_log_that_is_open_until_it_is_closed()
    {
        await using var log = await OpenAsync("exclusive");
        await log.AppendAsync(Records.Batch(1, 2));

        var other = new BlobSegmentLogStore(_options with { LeaseWait = TimeSpan.Zero }, _metrics, NullLogger<BlobSegmentLogStore>.Instance);
        var refused = await Assert.ThrowsAsync<IOException>(async () => await other.OpenAsync("exclusive"));
        Assert.Contains("one writer", refused.Message, StringComparison.Ordinal);

        await log.DisposeAsync();
        await using var reopened = await other.OpenAsync("exclusive");
        Assert.Equal(3, reopened.NextLsn);
    }

    [Fact]
    public async Task An_append_after_someone_else_wrote_to_the_segment_faults_instead_of_interleaving()
    {
        await using var log = await OpenAsync("fenced");
        await log.AppendAsync(Records.Batch(1, 2));
        using (var intruder = new MemoryStream(Records.Make(99)))
        {
            await AppendBlob(LastSegment("fenced")).AppendBlockAsync(intruder);
        }

        await Assert.ThrowsAnyAsync<Exception>(async () => await log.AppendAsync(Records.Batch(3, 1)));
        await Assert.ThrowsAsync<SegmentLogFaultedException>(async () => await log.AppendAsync(Records.Batch(3, 1)));
        Assert.Equal(3, log.NextLsn);
    }

    [Fact]
    public async Task A_writer_whose_lease_was_broken_and_taken_over_cannot_append_after_its_successor()
    {
        var stale = await OpenAsync("taken-over");
        await stale.AppendAsync(Records.Batch(1, 2));
        await Container().GetBlobClient(BlobSegmentLogStore.GetLogPrefix("taken-over") + ".lock").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        await using var successor = await NewStore().OpenAsync("taken-over");
        Assert.Equal(3, successor.NextLsn);
        Assert.Equal(3, await successor.AppendAsync(Records.Batch(3, 1)));

        await Assert.ThrowsAnyAsync<Exception>(async () => await stale.AppendAsync(Records.Batch(100, 1)));
        var read = await Records.ReadAllAsync(successor);
        Assert.Equal([1L, 2, 3], read.Select(r => r.Lsn));
        Assert.Equal(Records.Make(3), read[2].Data.ToArray());
        await stale.DisposeAsync();
    }

    [Fact]
    public async Task After_a_torn_tail_appends_continue_in_a_new_segment_and_the_torn_bytes_are_never_read()
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync("torn"))
        {
            await log.AppendAsync(Records.Batch(1, 3));
        }

        await CloseStoreAsync(store);
        await AppendRawToTailAsync("torn", [50, 0, 0, 0, 1, 2, 3]);

        var reopenedStore = NewStore();
        await using (var reopened = await reopenedStore.OpenAsync("torn"))
        {
            Assert.Equal(4, await reopened.AppendAsync(Records.Batch(4, 2)));
            Assert.Equal([prefixOf("torn") + "00000000000000000001.seg", prefixOf("torn") + "00000000000000000004.seg"], Segments("torn"));
        }

        await CloseStoreAsync(reopenedStore);
        await using var again = await OpenAsync("torn");
        var read = await Records.ReadAllAsync(again);
        Assert.Equal([1L, 2, 3, 4, 5], read.Select(r => r.Lsn));
        Assert.Equal(Records.Make(4), read[3].Data.ToArray());

        static string prefixOf(string name) => BlobSegmentLogStore.GetLogPrefix(name);
    }

    [Fact]
    public async Task A_last_segment_with_no_whole_record_is_replaced()
    {
        var store = NewStore();
        await using (var log = await store.OpenAsync("torn-empty"))
        {
            await log.AppendAsync(Records.Batch(1, 1));
        }

        await CloseStoreAsync(store);
        await CutTailAsync("torn-empty", 10);

        await using var reopened = await OpenAsync("torn-empty");
        Assert.Equal(1, reopened.NextLsn);
        Assert.Equal(1, await reopened.AppendAsync(Records.Batch(7, 1)));
        Assert.Equal(Records.Make(7), Assert.Single(await Records.ReadAllAsync(reopened)).Data.ToArray());
    }

    [Fact]
    public async Task A_batch_larger_than_one_append_block_is_written_in_order_and_reads_back()
    {
        await using var log = await OpenAsync("big", segmentSizeBytes: 64L * 1024 * 1024);
        var batch = Records.Batch(1, 5, size: 1024 * 1024 + 17);

        Assert.Equal(1, await log.AppendAsync(batch));

        var read = await Records.ReadAllAsync(log);
        Assert.Equal(5, read.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(batch[i].Span.SequenceEqual(read[i].Data.Span));
        }
    }

    [Fact]
    public async Task A_segment_rolls_once_it_holds_its_block_limit_and_a_batch_is_never_split_across_segments()
    {
        var store = new BlobSegmentLogStore(_options with { SegmentMaxBlocks = 3 }, _metrics, NullLogger<BlobSegmentLogStore>.Instance);
        await using (var log = await store.OpenAsync("blocks"))
        {
            for (var i = 0; i < 7; i++)
            {
                await log.AppendAsync(Records.Batch(1 + (2 * i), 2));
            }

            // Three appends (three small blocks) per segment: records 1-6, 7-12, then 13-14.
            Assert.Equal(["00000000000000000001.seg", "00000000000000000007.seg", "00000000000000000013.seg"],
                Segments("blocks").Select(s => s[(s.LastIndexOf('/') + 1)..]));
            Assert.Equal(13, log.ActiveSegmentFirstLsn);
            Assert.Equal(3, (await AppendBlob(Segments("blocks")[0]).GetPropertiesAsync()).Value.BlobCommittedBlockCount);
        }

        await store.DisposeAsync();

        // Reopened, the block count of the active segment is known again: two more appends fill it, the third rolls.
        var reopenedStore = new BlobSegmentLogStore(_options with { SegmentMaxBlocks = 3 }, _metrics, NullLogger<BlobSegmentLogStore>.Instance);
        await using (var reopened = await reopenedStore.OpenAsync("blocks"))
        {
            await reopened.AppendAsync(Records.Batch(15, 1));
            await reopened.AppendAsync(Records.Batch(16, 1));
            Assert.Equal(13, reopened.ActiveSegmentFirstLsn);
            await reopened.AppendAsync(Records.Batch(17, 1));
            Assert.Equal(17, reopened.ActiveSegmentFirstLsn);
            Assert.Equal(17, (await Records.ReadAllAsync(reopened)).Count);
        }

        await reopenedStore.DisposeAsync();
    }

    [Fact]
    public async Task The_first_read_after_an_open_takes_a_small_last_segment_from_the_open_instead_of_downloading_it_again()
    {
        await using (var log = await OpenAsync("kept-tail", segmentSizeBytes: 1024 * 1024))
        {
            await log.AppendAsync(Records.Batch(1, 5));
        }

        await using var reopened = await OpenAsync("kept-tail", segmentSizeBytes: 1024 * 1024);

        // With the blob gone behind the log's back, only bytes the open kept can still be read.
        await AppendBlob(LastSegment("kept-tail")).DeleteAsync();
        var read = await Records.ReadAllAsync(reopened);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => Records.Make(i)), read.Select(r => r.Data.ToArray()));

        // Once: a second read downloads the segment, and finds it gone.
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => Records.ReadAllAsync(reopened));
    }

    [Fact]
    public async Task A_last_segment_larger_than_a_read_buffer_is_scanned_as_a_stream_on_open_and_downloaded_again_to_be_read()
    {
        var options = _options with { ReadBufferBytes = 4096 };
        var store = new BlobSegmentLogStore(options, _metrics, NullLogger<BlobSegmentLogStore>.Instance);
        await using (var log = await store.OpenAsync("streamed-tail"))
        {
            await log.AppendAsync(Records.Batch(1, 100)); // 100 records of 100 bytes framed: over 4096 bytes
        }

        await using (var reopened = await store.OpenAsync("streamed-tail"))
        {
            Assert.Equal(101, reopened.NextLsn);
            Assert.Equal(100, (await Records.ReadAllAsync(reopened)).Count);
            await AppendBlob(LastSegment("streamed-tail")).DeleteAsync();
            await Assert.ThrowsAnyAsync<RequestFailedException>(() => Records.ReadAllAsync(reopened));
        }

        await store.DisposeAsync();
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
        var blob = AppendBlob(first);
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[20] ^= 0xFF;
        await blob.DeleteAsync();
        await blob.CreateAsync();
        using (var content = new MemoryStream(bytes))
        {
            await blob.AppendBlockAsync(content);
        }

        await using var reopened = await OpenAsync("damaged");
        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => Records.ReadAllAsync(reopened));
        Assert.Equal(first, error.Path);
    }

    private List<string> Segments(string logName)
    {
        var prefix = BlobSegmentLogStore.GetLogPrefix(logName);
        var names = new List<string>();
        foreach (var item in Container().GetBlobs(new GetBlobsOptions { Prefix = prefix }))
        {
            if (item.Name.EndsWith(".seg", StringComparison.Ordinal))
            {
                names.Add(item.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private string LastSegment(string logName) => Segments(logName)[^1];

    private BlobContainerClient Container() => new(_options.ConnectionString, _options.ContainerName);

    private AppendBlobClient AppendBlob(string name) => Container().GetAppendBlobClient(name);
}
