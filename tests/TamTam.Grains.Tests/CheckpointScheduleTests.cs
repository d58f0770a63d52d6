using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Grains.Links;
using TamTam.Grains.Links.Internal;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests;

/// <summary>
/// When a link checkpoints, on a real local log: after its record budget, and once each time the log starts a segment
/// while older segments are stored (what keeps a failover's replay short), but not before as many bytes as the last
/// checkpoint's were appended. LogReplayTests checks what the checkpoint then lets compaction drop.
/// </summary>
public sealed class CheckpointScheduleTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tamtam-checkpoint-tests", Guid.NewGuid().ToString("N"));
    private readonly StorageMetrics _metrics = new();
    private LocalSegmentLogStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new LocalSegmentLogStore(
            new LocalStorageOptions { RootPath = _root, SegmentSizeBytes = 4096 }, _metrics, NullLogger<LocalSegmentLogStore>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _metrics.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_log_in_one_segment_needs_a_checkpoint_only_after_the_record_budget()
    {
        await using ISegmentLog log = await _store.OpenAsync("one-segment");
        await AppendAsync(log, 10);

        Assert.False(LinkGrain.CheckpointDue(new CheckpointProgress(0, 0, Records: 9, Bytes: 0), compactionRecords: 10, log));
        Assert.True(LinkGrain.CheckpointDue(new CheckpointProgress(0, 0, Records: 10, Bytes: 0), compactionRecords: 10, log));
    }

    [Fact]
    public async Task A_new_segment_makes_a_checkpoint_due_once_and_the_next_new_segment_again()
    {
        await using ISegmentLog log = await _store.OpenAsync("rolls");
        while (log.ActiveSegmentFirstLsn == 1)
        {
            await AppendAsync(log, 1);
        }

        // Older segments stored and no checkpoint in the new one yet: due, whatever the record budget says.
        Assert.True(LinkGrain.CheckpointDue(default, long.MaxValue, log));

        long checkpoint = await AppendAsync(log, 1);
        var progress = new CheckpointProgress(checkpoint, CheckpointBytes: 300, Records: 0, Bytes: 0);
        Assert.False(LinkGrain.CheckpointDue(progress, long.MaxValue, log));

        long rolledAt = log.ActiveSegmentFirstLsn;
        while (log.ActiveSegmentFirstLsn == rolledAt)
        {
            await AppendAsync(log, 1);
        }

        Assert.True(LinkGrain.CheckpointDue(progress with { Bytes = 300 }, long.MaxValue, log));

        // Fewer bytes appended since the last checkpoint than it took: not yet, the new segment waits.
        Assert.False(LinkGrain.CheckpointDue(progress with { CheckpointBytes = 100_000, Bytes = 99_999 }, long.MaxValue, log));
        Assert.True(LinkGrain.CheckpointDue(progress with { CheckpointBytes = 100_000, Bytes = 100_000 }, long.MaxValue, log));

        // Once nothing older is stored, a segment alone needs no checkpoint.
        await log.TruncateBeforeAsync(log.NextLsn);
        Assert.Equal(log.FirstLsn, log.ActiveSegmentFirstLsn);
        Assert.False(LinkGrain.CheckpointDue(progress with { Bytes = 300 }, long.MaxValue, log));
    }

    private static async Task<long> AppendAsync(ISegmentLog log, int count)
    {
        var records = new ReadOnlyMemory<byte>[count];
        Array.Fill(records, new byte[300]);
        return await log.AppendAsync(records);
    }
}
