using System.Diagnostics;
using TamTam.Client;

namespace TamTam.Bench.Workloads.W8;

/// <summary>
/// Sends messages to a station's link the way W1's producer sends (<see cref="W1.TcpLinkPair"/>): <c>window</c> send loops,
/// each awaiting its SEND's ACCEPTED, and at most <c>outstanding</c> messages without a final status. One loop awaiting
/// each ACCEPTED in turn would measure the SEND's round trip, not the route.
/// </summary>
internal sealed class DirectRoute(TamTamClient sender, SendOptions to, RandomPayloads payloads, int window, int outstanding)
{
    private const string Port = "w8/in";

    /// <summary>Sends <paramref name="count"/> messages and waits for their final statuses; DELIVERED ones are timed in <paramref name="latencies"/>.</summary>
    /// <returns>How many were DELIVERED, the seconds from the first SEND to the last status, and false when the time cap cut the run short.</returns>
    public async Task<(long Delivered, double Seconds, bool Complete)> RunAsync(int count, LatencyRecorder latencies, CancellationToken cancellationToken)
    {
        using var unsettled = new SemaphoreSlim(outstanding);
        var statuses = new List<Task>(count);
        long delivered = 0;
        int next = 0;
        var meter = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(window, count)).Select(_ => SendLoopAsync()));
            Task[] all;
            lock (statuses)
            {
                all = [.. statuses];
            }

            await Task.WhenAll(all).WaitAsync(cancellationToken);
            return (Interlocked.Read(ref delivered), meter.Elapsed.TotalSeconds, true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (Interlocked.Read(ref delivered), meter.Elapsed.TotalSeconds, false);
        }

        async Task SendLoopAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < count)
            {
                await unsettled.WaitAsync(cancellationToken);
                long sentAt = Stopwatch.GetTimestamp();
                SendReceipt receipt;
                try
                {
                    receipt = await sender.SendAsync(Port, payloads.For(i + 1), to, cancellationToken);
                }
                catch
                {
                    unsettled.Release();
                    throw;
                }

                Task status = SettleAsync(receipt, sentAt);
                lock (statuses)
                {
                    statuses.Add(status);
                }
            }
        }

        async Task SettleAsync(SendReceipt receipt, long sentAt)
        {
            try
            {
                MessageStatus status = await receipt.WaitForCompletionAsync(cancellationToken);
                if (status.IsDelivered)
                {
                    latencies.Record(sentAt);
                    Interlocked.Increment(ref delivered);
                }
            }
            finally
            {
                unsettled.Release();
            }
        }
    }
}
