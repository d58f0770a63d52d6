using System.Diagnostics;
using TamTam.Client;

namespace TamTam.Bench.Workloads;

/// <summary>
/// Counts what stream subscribers receive: packets, the losses their sequences show, and the moment the last
/// expected packet (or its loss) was accounted for.
/// </summary>
internal sealed class StreamCounter
{
    private readonly long _expected;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private long _lost;
    private long _lastAt;

    public StreamCounter(long expected) => _expected = expected;

    public Task Finished => _finished.Task;

    public long Received => Interlocked.Read(ref _received);

    public long Lost => Interlocked.Read(ref _lost);

    /// <summary><see cref="Stopwatch"/> timestamp of the last packet received.</summary>
    public long LastAt => Interlocked.Read(ref _lastAt);

    /// <summary>
    /// Waits until every expected packet is accounted for (true), or until nothing has arrived for <paramref name="quiet"/>
    /// (false): packets dropped at the very end of a run leave no later packet to show their gap, so silence is
    /// the only sign of them. Also false when <paramref name="limit"/> fires first.
    /// </summary>
    public async Task<bool> SettleAsync(TimeSpan quiet, CancellationToken limit)
    {
        long since = Stopwatch.GetTimestamp();
        while (!_finished.Task.IsCompleted)
        {
            long last = Math.Max(since, LastAt);
            TimeSpan silent = Stopwatch.GetElapsedTime(last);
            if (silent >= quiet)
            {
                return false;
            }

            try
            {
                await _finished.Task.WaitAsync(quiet - silent, limit);
            }
            catch (TimeoutException)
            {
                // Silent for the rest of the period, unless a packet came meanwhile: looked at again.
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Receives until <paramref name="perSubscriber"/> packets are accounted for on <paramref name="client"/> or the run is cut short.</summary>
    public async Task ReceiveAsync(TamTamClient client, long perSubscriber, CancellationToken cancellationToken)
    {
        long accounted = 0;
        try
        {
            await foreach (StreamPacket packet in client.ReceiveStreamAsync(cancellationToken))
            {
                accounted += 1 + packet.LostBefore;
                Interlocked.Add(ref _lost, packet.LostBefore);
                Volatile.Write(ref _lastAt, Stopwatch.GetTimestamp());
                if (Interlocked.Increment(ref _received) + Interlocked.Read(ref _lost) >= _expected)
                {
                    _finished.TrySetResult();
                }

                if (accounted >= perSubscriber)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or TamTamConnectionException)
        {
            // Cut short: the figures say how far it came.
        }
    }
}
