using System.Buffers;
using TamTam.Grains.Links.Internal;
using TamTam.Storage;

namespace TamTam.Grains.Links;

// Time and durability: the timer's tick, commits through the group committer, compaction, and what a failed
// write does (the fault and the storage probe).
public sealed partial class LinkGrain
{
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_faulted)
        {
            return;
        }

        long now = _core.NowUs();
        var records = new List<LinkRecord>();
        var finalized = new List<MessageFinalized>();
        _core.Tick(now, records, finalized);
        if (!await TryCommitAsync(records))
        {
            return;
        }

        AfterFinalized(finalized);
        if (Ledger.Unforwarded.Count > 0)
        {
            await ForwardStatusesAsync();
        }

        foreach (NodeState node in Ledger.Nodes.Values)
        {
            Dispatch(node, now);
        }

        await KeepRoamingListedAsync();
        await ReportRouteUseAsync();
        if (_core.RoamingWaits)
        {
            await RouteRoamingAsync();
        }

        await CompactIfDueAsync(cancellationToken);
    }

    /// <summary>
    /// A checkpoint is due after <see cref="OrchestratorOptions.CompactionRecords"/> records, and whenever the log has
    /// started a segment since the last one while older segments are stored: a checkpoint in the new segment is what
    /// lets the sealed ones go once no pending message needs them, so the log, and what a failover replays, stays about
    /// two segments long (the backend's segment size, and on append blobs its block limit, set the scale). A segment
    /// waits for a checkpoint until at least the last checkpoint's size was appended since: a link remembering many
    /// ids for its duplicate window writes a large one, and checkpoints must not outweigh the records they replace.
    /// </summary>
    internal static bool CheckpointDue(CheckpointProgress progress, long compactionRecords, ISegmentLog log) =>
        progress.Records >= compactionRecords
        || (log.ActiveSegmentFirstLsn > progress.CheckpointLsn && log.FirstLsn < log.ActiveSegmentFirstLsn
            && progress.Bytes >= progress.CheckpointBytes);

    private async Task CompactIfDueAsync(CancellationToken cancellationToken)
    {
        if (_log is null || !CheckpointDue(_sinceCheckpoint, _options.CompactionRecords, _log))
        {
            return;
        }

        // Taken with the checkpoint, before other calls run: whatever is live but not yet durable now lands
        // at or after the log's next LSN, and whatever becomes live later lands after the checkpoint.
        Checkpoint checkpoint = Ledger.ToCheckpoint();
        (List<LinkRecord> carried, long oldest) = Ledger.PlanCompaction(_log.NextLsn);
        carried.Insert(0, checkpoint);
        long lsn = await CommitTrackedAsync(carried);
        if (lsn == 0)
        {
            return;
        }

        if (!await ArchiveBeforeAsync(oldest, cancellationToken))
        {
            return;
        }

        await _log.TruncateBeforeAsync(oldest, cancellationToken);
        _sinceCheckpoint = new CheckpointProgress(lsn, _checkpointBytes, 0, 0);
        LinkLog.Compacted(_logger, Link, lsn, oldest);
    }

    private async Task<bool> TryCommitAsync(List<LinkRecord> records) => records.Count == 0 || await CommitTrackedAsync(records) != 0;

    /// <summary><see cref="CommitOrZeroAsync"/>, then the durable LSN of each final status among the records.</summary>
    private async Task<long> CommitTrackedAsync(List<LinkRecord> records)
    {
        long first = await CommitOrZeroAsync(records);
        if (first == 0)
        {
            return 0;
        }

        // A final status is forwarded, and kept through compaction, by its durable LSN: record it now.
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i] is MessageFinalized finalized)
            {
                Ledger.SetFinalizedLsn(finalized, first + i);
            }
        }

        return first;
    }

    private async Task CommitInBackgroundAsync(List<LinkRecord> records) => await TryCommitAsync(records);

    /// <summary>Makes <paramref name="records"/> durable in one group commit; 0 when that failed (or the link is faulted).</summary>
    private async Task<long> CommitOrZeroAsync(List<LinkRecord> records)
    {
        if (records.Count == 0 || _faulted || _committer is null)
        {
            return 0;
        }

        // Every record of the call is encoded into one scratch buffer and copied out once, into an array rented for
        // the commit and returned when it is durable: no array per record, and none per commit (a checkpoint larger
        // than the scratch kept is the exception, and is not pooled).
        _scratch.ResetWrittenCount();
        var ends = records.Count <= StackEnds ? stackalloc int[records.Count] : new int[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            LinkRecordCodec.Encode(records[i], _scratch);
            ends[i] = _scratch.WrittenCount;
        }

        if (records[0] is Checkpoint)
        {
            _checkpointBytes = ends[0];
        }

        int count = records.Count;
        int length = _scratch.WrittenCount;
        bool pooled = length <= ScratchKeptBytes;
        byte[] bytes = pooled ? ArrayPool<byte>.Shared.Rent(length) : new byte[length];
        _scratch.WrittenSpan.CopyTo(bytes);
        ReadOnlyMemory<byte>[] encoded = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(count);
        for (int i = 0, start = 0; i < count; start = ends[i], i++)
        {
            encoded[i] = bytes.AsMemory(start, ends[i] - start);
        }

        if (_scratch.Capacity > ScratchKeptBytes)
        {
            _scratch = new ArrayBufferWriter<byte>(ScratchKeptBytes);
        }

        try
        {
            long first = await _committer!.CommitAsync(new ArraySegment<ReadOnlyMemory<byte>>(encoded, 0, count));
            _sinceCheckpoint = _sinceCheckpoint with
            {
                Records = _sinceCheckpoint.Records + count,
                Bytes = _sinceCheckpoint.Bytes + length,
            };
            return first;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fault(e);
            return 0;
        }
        finally
        {
            // The committer completes a commit only once its batch was written or failed: nothing reads these after.
            Array.Clear(encoded, 0, count);
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(encoded);
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>
    /// A write failed: the ledger already holds changes the log does not. Every call is refused (501) from now on
    /// without touching the ledger, and the storage is probed on a backoff until it takes a write again.
    /// </summary>
    private void Fault(Exception e)
    {
        if (_faulted)
        {
            return;
        }

        _faulted = true;
        _probeDelay = _options.StorageProbeDelay;
        LinkLog.CommitFailed(_logger, Link, _probeDelay, e);
        _probe = this.RegisterGrainTimer(ProbeStorageAsync, new GrainTimerCreationOptions(_probeDelay, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>
    /// One probe of a faulted link's storage. A log refuses appends after a failed one, so the probe closes it and
    /// appends a <see cref="StorageProbed"/> record to it reopened (which also cuts a torn tail). When that is durable
    /// the activation deactivates, once: its nodes are told to join again, and the next activation replays the log.
    /// </summary>
    private async Task ProbeStorageAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_committer is { } committer)
            {
                _committer = null;
                await committer.DisposeAsync();
            }

            if (_log is { } log)
            {
                _log = null;
                await log.DisposeAsync();
            }

            ISegmentLog probed = await _logs.OpenAsync("links/" + Link, cancellationToken);
            await using (probed)
            {
                await probed.AppendAsync([LinkRecordCodec.Encode(new StorageProbed(_core.NowUs()))], cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _probeDelay = TimeSpan.FromTicks(Math.Min(_probeDelay.Ticks * 2, Math.Max(_options.StorageProbeMaxDelay.Ticks, _options.StorageProbeDelay.Ticks)));
            LinkLog.ProbeFailed(_logger, Link, _probeDelay, e.Message);
            _probe?.Change(_probeDelay, Timeout.InfiniteTimeSpan);
            return;
        }

        LinkLog.StorageRecovered(_logger, Link);
        _probe?.Dispose();
        _probe = null;
        this.DeactivateOnIdle();
    }
}
