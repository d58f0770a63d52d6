using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Blob.Internal;

/// <summary>
/// The blob backend's counterpart of a log's <c>.lock</c> file: a lease on the log's lock blob, held
/// while the log is open and renewed at a third of its duration. A second opener (in any process)
/// finds the lease held and is refused. After a crash the lease runs out by itself, or, when the silo that held it
/// has been declared dead by the cluster (<see cref="ILeaseHolderLiveness"/>), the next opener breaks it at once.
/// </summary>
/// <remarks>
/// A renewal that fails is retried at the next tick; once the lease may have run out unrenewed,
/// <see cref="LostReason"/> is set and the log refuses appends. Appends are fenced on their own too
/// (<c>If-Append-Position-Equal</c>), so even a writer that has not yet noticed its loss cannot
/// interleave with a successor.
/// </remarks>
internal sealed class BlobLogLease : IAsyncDisposable
{
    /// <summary>The lock blob's name inside a log's prefix.</summary>
    public const string LockBlobName = ".lock";

    private const int RenewalsPerLease = 3;

    private readonly BlobLeaseClient _lease;
    private readonly string _logName;
    private readonly string _lockBlob;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private volatile Exception? _lostReason;

    private BlobLogLease(BlobLeaseClient lease, string logName, string lockBlob, TimeSpan duration, ILogger logger)
    {
        _lease = lease;
        _logName = logName;
        _lockBlob = lockBlob;
        _duration = duration;
        _logger = logger;
        _renewal = RenewAsync();
    }

    /// <summary>Why the lease is gone, or null while it is held.</summary>
    public Exception? LostReason => _lostReason;

    /// <summary>
    /// Creates the lock blob if needed and takes its lease. With <paramref name="liveness"/>, the holder is recorded in
    /// the lock blob's metadata, and a lease found held by a holder <paramref name="liveness"/> knows to be dead is
    /// broken at once (only if the lock blob is unchanged since its holder was read, so a new holder is never broken).
    /// </summary>
    /// <exception cref="IOException">The lease is held by a live (or unknown) holder: the log is open elsewhere.</exception>
    public static async Task<BlobLogLease> AcquireAsync(
        BlobContainerClient container, string lockBlob, string logName, TimeSpan duration, TimeSpan wait, ILeaseHolderLiveness? liveness, ILogger logger,
        CancellationToken cancellationToken)
    {
        var blob = container.GetBlockBlobClient(lockBlob);
        try
        {
            await blob.UploadAsync(Stream.Null, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (BlobStatus.IsConditionFailure(ex))
        {
            // It exists already (and may be leased: then the acquire below says so).
        }

        var lease = blob.GetBlobLeaseClient();
        long started = Stopwatch.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            RequestFailedException held;
            try
            {
                await lease.AcquireAsync(duration, conditions: null, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == BlobStatus.Conflict)
            {
                held = ex;
            }

            if (liveness is not null && await TryBreakDeadHoldersLeaseAsync(blob, lease, logName, liveness, logger, attempt == 1, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await lease.AcquireAsync(duration, conditions: null, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RequestFailedException again) when (again.Status == BlobStatus.Conflict)
                {
                    // Another opener took it between the break and this acquire.
                    held = again;
                }
            }

            // A writer closing the log (its link moving to another silo), or one not yet declared dead: wait for either.
            TimeSpan waited = Stopwatch.GetElapsedTime(started);
            if (waited >= wait)
            {
                throw Held(logName, lockBlob, duration, wait, held);
            }

            await Task.Delay(Min(RetryDelay, wait - waited), cancellationToken).ConfigureAwait(false);
        }

        var taken = new BlobLogLease(lease, logName, lockBlob, duration, logger);
        if (liveness is not null)
        {
            try
            {
                await blob.SetMetadataAsync(new Dictionary<string, string> { [HolderMetadataKey] = liveness.Self },
                    new BlobRequestConditions { LeaseId = lease.LeaseId }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await taken.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return taken;
    }

    /// <summary>The lock blob's metadata key that names the lease's holder (<see cref="ILeaseHolderLiveness.Self"/>).</summary>
    public const string HolderMetadataKey = "tamtamholder";

    /// <summary>How often a held lease is tried again while an opener waits for it.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<bool> TryBreakDeadHoldersLeaseAsync(
        BlockBlobClient blob, BlobLeaseClient lease, string logName, ILeaseHolderLiveness liveness, ILogger logger, bool first,
        CancellationToken cancellationToken)
    {
        BlobProperties properties = (await blob.GetPropertiesAsync(conditions: null, cancellationToken).ConfigureAwait(false)).Value;
        if (properties.LeaseState != LeaseState.Leased || !properties.Metadata.TryGetValue(HolderMetadataKey, out string? holder))
        {
            // Free again (the acquire is tried once more), or held by a writer that recorded no holder: never broken.
            return properties.LeaseState != LeaseState.Leased;
        }

        if (holder == liveness.Self || !await liveness.IsDeadAsync(holder, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                logger.LiveHolderLeaseKept(logName, blob.Name, holder);
            }

            return false;
        }

        try
        {
            // If-Match: a holder that took the lease since recorded itself, which changed the ETag: then nothing is broken.
            await lease.BreakAsync(TimeSpan.Zero, new RequestConditions { IfMatch = properties.ETag }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (BlobStatus.IsConditionFailure(ex))
        {
            return false;
        }

        logger.DeadHolderLeaseBroken(logName, blob.Name, holder);
        return true;
    }

    private static IOException Held(string logName, string lockBlob, TimeSpan duration, TimeSpan wait, Exception inner) => new(
        $"Segment log '{logName}' is already open elsewhere (the lease on its lock blob '{lockBlob}' is held, still after {wait}); a log has one writer at a time. " +
        $"After a crash the lease runs out within {duration}, or is broken as soon as the cluster declares its holder dead.",
        inner);

    /// <summary>Stops renewing and releases the lease, so the log can be opened elsewhere at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        _stop.Dispose();
        if (_lostReason is not null)
        {
            return;
        }

        try
        {
            await _lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            _logger.LeaseReleaseFailed(ex, _logName, _lockBlob, _duration);
        }
    }

    private async Task RenewAsync()
    {
        using var timer = new PeriodicTimer(_duration / RenewalsPerLease);
        var renewed = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await _lease.RenewAsync(conditions: null, _stop.Token).ConfigureAwait(false);
                    renewed = Stopwatch.GetTimestamp();
                }
                catch (Exception ex) when (ex is not OperationCanceledException
                    && (Stopwatch.GetElapsedTime(renewed) >= _duration - (_duration / RenewalsPerLease) || ex is RequestFailedException { Status: BlobStatus.Conflict }))
                {
                    // Renewal failed with no time left (or the lease is someone else's now): stop pretending.
                    _lostReason = ex;
                    _logger.LeaseLost(ex, _logName, _lockBlob);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Still within the lease: try again at the next tick.
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
