using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W1;

/// <summary>
/// W1 without the gateway: inside the silo process, the producer calls <see cref="ILinkGrain.SendAsync"/> with
/// batches of SENDs and the consumer is an <see cref="InProcessNode"/> that acknowledges each delivery. The
/// same orchestrator, log and group commit as over TCP, minus sockets, framing, sessions and the client; the
/// gap between this figure and the TCP one is what the gateway and the client cost.
/// </summary>
internal static class AckedUnicastInProcess
{
    private const string Port = "w1";

    public static async Task<WorkloadResult> RunAsync(Interchange interchange, WorkloadOptions options, int links)
    {
        IServiceProvider services = interchange.Services
            ?? throw new ArgumentException("w1-inproc runs inside the silo process: leave out --server");
        IGrainFactory grains = services.GetRequiredService<IGrainFactory>();
        string run = Guid.NewGuid().ToString("N")[..8];
        var meter = new RunMeter(options.Messages);
        var nodes = new List<InProcessNode>();
        var producers = new List<(InProcessNode Node, MessageSource Source, SemaphoreSlim Unsettled)>();
        try
        {
            for (int k = 0; k < links; k++)
            {
                string link = $"w1i-{run}-{k}";
                var consumer = new InProcessNode(grains, link, "consumer");
                nodes.Add(consumer);
                await consumer.JoinAsync();
                await consumer.BindAsync(Port);

                var unsettled = new SemaphoreSlim(options.Outstanding);
                var producer = new InProcessNode(grains, link, "producer", status =>
                {
                    unsettled.Release();
                    meter.Settled(status.State == FinalState.Delivered);
                });
                producers.Add((producer, new MessageSource(link, producer.Node), unsettled));
                nodes.Add(producer);
                await producer.JoinAsync();
            }

            int window = options.Window > 0 ? options.Window : 1_024;
            int batch = Math.Min(options.Batch, window);
            var payloads = new RandomPayloads(options.PayloadBytes);
            var accepted = new LatencyRecorder(options.Messages);
            using var limit = new CancellationTokenSource(options.Limit);
            int[] shares = Shares.Split(options.Messages, links);

            SiloFigures? before = interchange.Meters?.Snapshot();
            meter.Start();
            Task producing = Task.WhenAll(producers.Select((p, k) =>
                ProduceAsync(p.Node.Link, p.Source, p.Unsettled, shares[k], window, batch, payloads, meter, accepted, limit.Token)));
            bool complete = await Workload.WaitAsync(meter.Finished, limit.Token);
            double seconds = meter.Seconds;
            double cpuSeconds = meter.CpuSeconds;
            long allocated = meter.AllocatedBytes;
            int collections = meter.Collections;
            SiloFigures? after = interchange.Meters?.Snapshot();
            await limit.CancelAsync();
            await producing;

            return new WorkloadResult
            {
                Workload = "w1",
                Transport = "in-process",
                Server = interchange.Name,
                Links = links,
                Messages = options.Messages,
                Delivered = meter.Delivered,
                Refused = meter.Refused,
                Seconds = Math.Round(seconds, 3),
                MsgsPerS = Math.Round(meter.Delivered / seconds),
                CpuSeconds = Math.Round(cpuSeconds, 3),
                AllocatedBytesPerMsg = meter.Delivered == 0 ? 0 : allocated / meter.Delivered,
                Collections = collections,
                Complete = complete && meter.Delivered == options.Messages,
                PayloadBytes = options.PayloadBytes,
                Window = window,
                Outstanding = options.Outstanding,
                Batch = batch,
                AcceptedP50Us = accepted.Percentile(0.50),
                AcceptedP99Us = accepted.Percentile(0.99),
                Silo = before is null || after is null ? null : SiloMeters.Between(before, after),
                Error = nodes.Select(n => n.Failure).FirstOrDefault(f => f is not null),
                Settings = interchange.Settings,
                Date = Workload.Today,
            };
        }
        finally
        {
            foreach (InProcessNode node in nodes)
            {
                await node.DisposeAsync();
            }

            foreach ((InProcessNode _, MessageSource _, SemaphoreSlim unsettled) in producers)
            {
                unsettled.Dispose();
            }
        }
    }

    /// <summary>
    /// Calls SendAsync with <paramref name="batch"/> messages each, <paramref name="window"/> messages in calls at
    /// once, and no more messages without a final status than <paramref name="unsettled"/> allows (statuses release it).
    /// </summary>
    private static async Task ProduceAsync(ILinkGrain link, MessageSource source, SemaphoreSlim unsettled, int count, int window, int batch,
        RandomPayloads payloads, RunMeter meter, LatencyRecorder accepted, CancellationToken cancellationToken)
    {
        int next = 0;
        int callers = Math.Max(1, window / batch);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => CallLoopAsync()));

        async Task CallLoopAsync()
        {
            int first;
            while ((first = Interlocked.Add(ref next, batch) - batch) < count)
            {
                int size = Math.Min(batch, count - first);
                var commands = new SendCommand[size];
                try
                {
                    for (int i = 0; i < size; i++)
                    {
                        await unsettled.WaitAsync(cancellationToken);
                        commands[i] = new SendCommand(Guid.CreateVersion7(), Port, Subtree: false, TtlMs: 0, payloads.For(first + i));
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                long sentAt = Stopwatch.GetTimestamp();
                SendOutcome[] outcomes = await link.SendAsync(source, commands);
                accepted.Record(sentAt);
                foreach (SendOutcome outcome in outcomes)
                {
                    if (!outcome.Accepted)
                    {
                        unsettled.Release();
                        meter.Refusal();
                    }
                }
            }
        }
    }
}
