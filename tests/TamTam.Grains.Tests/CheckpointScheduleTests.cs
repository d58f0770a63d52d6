using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Grains.Links;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests;

/// <summary>
/// When a link checkpoints, on a real local log: after its record budget, and once each time the log starts a segment
/// while older segments are stored (what keeps a failover's replay short). LogReplayTests checks what the checkpoint
/// then lets compaction drop.
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

        Assert.False(LinkGrain.CheckpointDue(recordsSinceCheckpoint: 9, compactionRecords: 10, checkpointLsn: 0, log));
        Assert.True(LinkGrain.CheckpointDue(recordsSinceCheckpoint: 10, compactionRecords: 10, checkpointLsn: 0, log));
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
        Assert.True(LinkGrain.CheckpointDue(recordsSinceCheckpoint: 0, compactionRecords: long.MaxValue, checkpointLsn: 0, log));

        long checkpoint = await AppendAsync(log, 1);
        Assert.False(LinkGrain.CheckpointDue(0, long.MaxValue, checkpoint, log));

        long rolledAt = log.ActiveSegmentFirstLsn;
        while (log.ActiveSegmentFirstLsn == rolledAt)
        {
            await AppendAsync(log, 1);
        }

        Assert.True(LinkGrain.CheckpointDue(0, long.MaxValue, checkpoint, log));

        // Once nothing older is stored, a segment alone needs no checkpoint.
        await log.TruncateBeforeAsync(log.NextLsn);
        Assert.Equal(log.FirstLsn, log.ActiveSegmentFirstLsn);
        Assert.False(LinkGrain.CheckpointDue(0, long.MaxValue, checkpoint, log));
    }

    private static async Task<long> AppendAsync(ISegmentLog log, int count)
    {
        var records = new ReadOnlyMemory<byte>[count];
        Array.Fill(records, new byte[300]);
        return await log.AppendAsync(records);
    }
}
