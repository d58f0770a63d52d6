using System.Diagnostics;

namespace TamTam.Bench.Workloads;

/// <summary>
/// Measures one run: the span a W1 figure covers (from the first SEND to the final status that completes
/// the run, across every link), the statuses that end it, and what the process spent meanwhile (CPU,
/// allocations, collections).
/// </summary>
internal sealed class RunMeter
{
    private readonly int _expected;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _start;
    private long _end;
    private TimeSpan _cpuAtStart;
    private TimeSpan _cpuAtEnd;
    private long _allocatedAtStart;
    private long _allocatedAtEnd;
    private int _collectionsAtStart;
    private int _collectionsAtEnd;
    private long _delivered;
    private long _settled;
    private long _refused;

    public RunMeter(int expected) => _expected = expected;

    /// <summary>Completes when every message has a final status (or failed to get one).</summary>
    public Task Finished => _finished.Task;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Refused => Interlocked.Read(ref _refused);

    public void Start()
    {
        _cpuAtStart = ProcessCpu();
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
        _collectionsAtStart = GC.CollectionCount(0);
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>One message is over: DELIVERED or not (another final state, a refusal, a lost connection).</summary>
    public void Settled(bool delivered)
    {
        if (delivered)
        {
            Interlocked.Increment(ref _delivered);
        }

        if (Interlocked.Increment(ref _settled) == _expected)
        {
            _end = Stopwatch.GetTimestamp();
            _cpuAtEnd = ProcessCpu();
            _allocatedAtEnd = GC.GetTotalAllocatedBytes();
            _collectionsAtEnd = GC.CollectionCount(0);
            _finished.TrySetResult();
        }
    }

    /// <summary>A SEND was refused: the message is over, not delivered.</summary>
    public void Refusal()
    {
        Interlocked.Increment(ref _refused);
        Settled(delivered: false);
    }

    /// <summary>
    /// CPU seconds (user + system, every thread) this process spent over the same span: with the silo in this
    /// process, client and silo together; against <c>--server</c>, the clients alone.
    /// </summary>
    public double CpuSeconds => ((_finished.Task.IsCompleted ? _cpuAtEnd : ProcessCpu()) - _cpuAtStart).TotalSeconds;

    /// <summary>Managed bytes this process allocated over the same span (every thread).</summary>
    public long AllocatedBytes => (_finished.Task.IsCompleted ? _allocatedAtEnd : GC.GetTotalAllocatedBytes()) - _allocatedAtStart;

    /// <summary>Garbage collections (any generation: each counts as a gen-0 one) over the same span.</summary>
    public int Collections => (_finished.Task.IsCompleted ? _collectionsAtEnd : GC.CollectionCount(0)) - _collectionsAtStart;

    /// <summary>Seconds from <see cref="Start"/> to the last status, or to now when the run was cut short.</summary>
    public double Seconds => Stopwatch.GetElapsedTime(_start, _finished.Task.IsCompleted ? _end : Stopwatch.GetTimestamp()).TotalSeconds;

    private static TimeSpan ProcessCpu()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
