namespace TamTam.Bench.Workloads.W1;

/// <summary>
/// W1 through the gateway: per link one producer sends its share of the messages to one consumer over TCP,
/// the consumer acknowledges each, the producer keeps a window of SENDs awaiting ACCEPTED and counts the
/// DELIVERED statuses. The figure is delivered-and-acknowledged messages per second, first SEND to last STATUS.
/// </summary>
internal static class AckedUnicastOverTcp
{
    /// <summary>Connecting, joining and binding every link's two clients (128 connections at 64 links).</summary>
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

    public static Task<WorkloadResult> RunAsync(Interchange interchange, WorkloadOptions options, int links) =>
        RunAsync(interchange, options, links, [interchange.Uri]);

    /// <summary>W1 with link k's two clients on <paramref name="endpoints"/>[k mod n]: the silos of a cluster (W7).</summary>
    public static async Task<WorkloadResult> RunAsync(Interchange interchange, WorkloadOptions options, int links, IReadOnlyList<Uri> endpoints)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        using var setup = new CancellationTokenSource(SetupTimeout);
        var pairs = new List<TcpLinkPair>(links);
        try
        {
            for (int k = 0; k < links; k++)
            {
                pairs.Add(await TcpLinkPair.OpenAsync(endpoints[k % endpoints.Count], $"w1-{run}-{k}", setup.Token));
            }

            int window = options.Window > 0 ? options.Window : pairs[0].MaxInflight;
            var payloads = new RandomPayloads(options.PayloadBytes);
            var meter = new RunMeter(options.Messages);
            var accepted = new LatencyRecorder(options.Messages);
            var settled = new LatencyRecorder(options.Messages);
            using var limit = new CancellationTokenSource(options.Limit);
            int[] shares = Shares.Split(options.Messages, links);
            for (int k = 0; k < links; k++)
            {
                pairs[k].StartConsuming(shares[k], limit.Token);
            }

            SiloFigures? before = interchange.Meters?.Snapshot();
            meter.Start();
            Task producing = Task.WhenAll(pairs.Select((pair, k) =>
                pair.ProduceAsync(shares[k], window, options.Outstanding, payloads, meter, accepted, settled, limit.Token)));
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
                Transport = "tcp",
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
                AcceptedP50Us = accepted.Percentile(0.50),
                AcceptedP99Us = accepted.Percentile(0.99),
                StatusP50Us = settled.Percentile(0.50),
                StatusP99Us = settled.Percentile(0.99),
                Silo = before is null || after is null ? null : SiloMeters.Between(before, after),
                Settings = interchange.Settings,
                Date = Workload.Today,
            };
        }
        finally
        {
            foreach (TcpLinkPair pair in pairs)
            {
                await pair.DisposeAsync();
            }
        }
    }
}
