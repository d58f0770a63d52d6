using System.Collections.Concurrent;
using TamTam.Gateway.Internal;

namespace TamTam.Gateway.Tests.Internal;

/// <summary>The loop behind a session's link calls and a transfer's progress reports.</summary>
public sealed class CoalescingCallQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Items_queued_while_a_call_is_in_flight_go_in_the_next_call_in_order()
    {
        var calls = new GatedCalls();
        var queue = new CoalescingCallQueue<int>(calls.CallAsync, (_, _) => { });

        queue.Add(1);
        queue.Start();
        await calls.Started.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

        // The first call waits: these go together in the second one, and starting again starts nothing.
        queue.Add(2);
        queue.Add(3);
        queue.Start();
        queue.Add(4);
        queue.Start();
        calls.Release.Release();
        await calls.Started.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        calls.Release.Release();
        await queue.DrainAsync().WaitAsync(Timeout);

        Assert.Equal([[1], [2, 3, 4]], calls.Batches);
        Assert.Equal(1, calls.MostInFlight);
    }

    [Fact]
    public async Task Draining_waits_for_every_item_queued_so_far_and_starts_what_was_only_queued()
    {
        var calls = new GatedCalls();
        var queue = new CoalescingCallQueue<int>(calls.CallAsync, (_, _) => { });
        queue.Add(1);

        Task drained = queue.DrainAsync();
        await calls.Started.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        queue.Add(2);
        Assert.False(drained.IsCompleted);

        calls.Release.Release(2);
        await drained.WaitAsync(Timeout);
        Assert.Equal([[1], [2]], calls.Batches);
    }

    [Fact]
    public async Task A_failed_call_is_reported_with_its_items_and_the_next_call_is_still_made()
    {
        var failures = new ConcurrentQueue<(int[] Items, Exception Exception)>();
        var made = new ConcurrentQueue<int[]>();
        var queue = new CoalescingCallQueue<int>(
            batch =>
            {
                made.Enqueue(batch);
                return batch[0] == 1 ? Task.FromException(new InvalidOperationException("refused")) : Task.CompletedTask;
            },
            (items, exception) => failures.Enqueue((items, exception)));

        queue.Add(1);
        await queue.DrainAsync().WaitAsync(Timeout);
        queue.Add(2);
        await queue.DrainAsync().WaitAsync(Timeout);

        (int[] items, Exception failure) = Assert.Single(failures);
        Assert.Equal([1], items);
        Assert.Equal("refused", failure.Message);
        Assert.Equal([[1], [2]], made);
    }

    [Fact]
    public async Task In_the_background_starting_a_call_never_waits_for_it()
    {
        using var blocked = new ManualResetEventSlim();
        bool? released = null;
        var queue = new CoalescingCallQueue<int>(
            _ =>
            {
                // Blocks before it returns a task: started on the caller's thread, it would hold Start() up until
                // its wait timed out.
                released = blocked.Wait(Timeout);
                return Task.CompletedTask;
            },
            (_, _) => { },
            inBackground: true);

        queue.Add(1);
        queue.Start();
        blocked.Set();
        await queue.DrainAsync().WaitAsync(Timeout);

        Assert.True(released, "the call's wait timed out: Start() ran the call itself");
    }

    /// <summary>Calls that each wait for one release, counting how many are in flight at once.</summary>
    private sealed class GatedCalls
    {
        private int _inFlight;

        public List<int[]> Batches { get; } = [];

        public System.Threading.Channels.Channel<int[]> Started { get; } = System.Threading.Channels.Channel.CreateUnbounded<int[]>();

        public SemaphoreSlim Release { get; } = new(0);

        public int MostInFlight { get; private set; }

        public async Task CallAsync(int[] batch)
        {
            int inFlight = Interlocked.Increment(ref _inFlight);
            lock (Batches)
            {
                Batches.Add(batch);
                MostInFlight = Math.Max(MostInFlight, inFlight);
            }

            Started.Writer.TryWrite(batch);
            await Release.WaitAsync(Timeout);
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
