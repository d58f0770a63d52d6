using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>
/// Gives the memory of transport blocks back to the operating system once a burst of them has ended. Blocks beyond
/// what the pools keep go to the GC, but they are pinned and only a full collection frees them; a silo that goes
/// quiet after connections held many unfinished frames allocates too little to cause one, and stayed at its peak
/// (docs/benchmarks.md, "Unfinished frames"). So when at least <see cref="Threshold"/> bytes of blocks were dropped
/// and then a whole <see cref="Period"/> passed without a drop, this asks for one compacting full collection, which
/// also decommits the freed memory. Under steady churn it asks for nothing: the allocations collect it then.
/// </summary>
internal sealed class TransportMemoryRelease : IDisposable
{
    /// <summary>How often the drops are looked at, and how long the pools must be quiet.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>Dropped bytes worth a collection (1,024 blocks of 64 KiB).</summary>
    public const long Threshold = 64L * 1024 * 1024;

    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _looking = new();
    private readonly List<TransportMemoryPool> _pools = [];
    private long _dropped;
    private long _droppedSinceLastLook;

    public TransportMemoryRelease(ILogger logger, TimeProvider timeProvider)
    {
        _logger = logger;
        _timer = timeProvider.CreateTimer(static state => ((TransportMemoryRelease)state!).Look(), this, Period, Period);
    }

    /// <summary>Lets <paramref name="pool"/>'s kept blocks go too when memory is given back.</summary>
    public void Register(TransportMemoryPool pool)
    {
        lock (_pools)
        {
            _pools.Add(pool);
        }
    }

    public void Unregister(TransportMemoryPool pool)
    {
        lock (_pools)
        {
            _pools.Remove(pool);
        }
    }

    /// <summary>A block of <paramref name="bytes"/> went to the GC instead of back to its pool.</summary>
    public void Dropped(int bytes) => Interlocked.Add(ref _droppedSinceLastLook, bytes);

    public void Dispose() => _timer.Dispose();

    private void Look()
    {
        // A look that outlasts the period (a long collection) is not overlapped by the next.
        if (!_looking.TryEnter())
        {
            return;
        }

        try
        {
            LookOnce();
        }
        finally
        {
            _looking.Exit();
        }
    }

    private void LookOnce()
    {
        long recent = Interlocked.Exchange(ref _droppedSinceLastLook, 0);
        if (recent > 0)
        {
            _dropped += recent;
            return;
        }

        if (_dropped < Threshold)
        {
            return;
        }

        long dropped = _dropped;
        _dropped = 0;
        long before = GC.GetGCMemoryInfo().TotalCommittedBytes;

        // Pinned blocks cannot be moved: one kept for reuse holds its whole heap region, dropped blocks beside it included.
        // The pools start afresh, their next blocks in new regions.
        lock (_pools)
        {
            foreach (TransportMemoryPool pool in _pools)
            {
                pool.DropKept();
            }
        }

        // Aggressive: compacting, and the freed regions are decommitted now rather than over the next collections.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GCMemoryInfo after = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        _logger.TransportMemoryReleased(dropped, before, after.TotalCommittedBytes, after.HeapSizeBytes, (long)after.PauseDurations[0].TotalMilliseconds);
    }
}
