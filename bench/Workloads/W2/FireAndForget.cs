using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W2;

/// <summary>
/// W2 fire-and-forget: one publisher node publishes N STREAM packets of 256 B to a port as fast as its
/// connection takes them; one subscriber node bound to the port counts them. No acknowledgement anywhere.
/// The figure is delivered packets per second, from the first publish to the last packet received; packets
/// the subscriber's sequences show as lost and STREAM frames the server refused are reported beside it.
/// </summary>
internal static class FireAndForget
{
    public const string Port = "w2";
    private const int DefaultPackets = 1_000_000;

    // As many as the run itself: the .NET runtime recompiles the hot paths with profile data only after they have run for a
    // while, and a shorter warm-up measured the first compilations rather than the interchange (docs/benchmarks.md, W2).
    private const int WarmupPackets = 1_000_000;
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    // How long the subscriber may stay silent, after the last publish, before the packets it lacks count as lost at the end.
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(Interchange interchange, WorkloadOptions options)
    {
        if (options.WarmupOr(WarmupPackets) is > 0 and int warmup)
        {
            await RunOnceAsync(interchange, options, warmup, report: false);
        }

        return await RunOnceAsync(interchange, options, options.MessagesOr(DefaultPackets), report: true);
    }

    private static async Task<int> RunOnceAsync(Interchange interchange, WorkloadOptions options, int packets, bool report)
    {
        Uri uri = interchange.UriFor(options.Transport);
        string link = $"w2-{Guid.NewGuid():N}"[..11];
        using var setup = new CancellationTokenSource(SetupTimeout);
        var clientOptions = new TamTamClientOptions { Uri = uri, ClientName = "tamtam-bench/w2" };
        await using TamTamClient subscriber = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
        await using TamTamClient publisher = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
        await subscriber.JoinAsync(link, "subscriber", setup.Token);
        await subscriber.BindAsync(Port, PortMode.Group, subtree: false, setup.Token);
        await publisher.JoinAsync(link, "publisher", setup.Token);

        var payloads = new RandomPayloads(options.PayloadBytes);
        var counter = new StreamCounter(packets);
        using var limit = new CancellationTokenSource(options.Limit);
        Task receiving = counter.ReceiveAsync(subscriber, packets, limit.Token);
        var meter = new RunMeter(1);
        meter.Start();
        long start = Stopwatch.GetTimestamp();
        int published = 0;
        var pace = new Pace(options.Rate, start);
        try
        {
            for (; published < packets; published++)
            {
                if (options.Rate > 0 && published % Pace.Step == 0)
                {
                    await pace.WaitAsync(published, limit.Token);
                }

                await publisher.PublishAsync(Port, payloads.For(published), options: null, limit.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The time cap: reported incomplete.
        }

        double publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        bool settled = await counter.SettleAsync(Quiet, limit.Token);
        meter.Settled(true);
        bool complete = published == packets && (settled || !limit.IsCancellationRequested);
        double seconds = Stopwatch.GetElapsedTime(start, counter.LastAt == 0 ? Stopwatch.GetTimestamp() : counter.LastAt).TotalSeconds;
        await limit.CancelAsync();
        await receiving;
        if (!report)
        {
            await Console.Error.WriteLineAsync($"w2: warm-up of {packets} packets: {Math.Round(counter.Received / seconds)} msgs/s (not reported)");
            return 0;
        }

        ResultLine.Print(new
        {
            Workload = "w2",
            Transport = Interchange.TransportOf(uri),
            Server = interchange.Name,
            Messages = packets,
            Published = published,
            Delivered = counter.Received,
            Lost = counter.Lost,

            // Dropped at the end of the run, where no later packet shows the gap: the subscriber went silent short of the count.
            LostAtEnd = packets - counter.Received - counter.Lost,
            DroppedByClient = subscriber.StreamPacketsDropped,
            Refused = publisher.StreamRefusals,
            Rate = options.Rate == 0 ? (int?)null : options.Rate,
            Seconds = Math.Round(seconds, 3),
            MsgsPerS = Math.Round(counter.Received / seconds),
            PublishSeconds = Math.Round(publishSeconds, 3),
            CpuSeconds = Math.Round(meter.CpuSeconds, 3),
            CpuUsPerMsg = counter.Received == 0 ? 0 : Math.Round(meter.CpuSeconds * 1e6 / counter.Received, 2),
            AllocatedBytesPerMsg = counter.Received == 0 ? 0 : meter.AllocatedBytes / counter.Received,
            PayloadBytes = options.PayloadBytes,
            // Complete: every packet published and accounted for — received, seen lost, or lost at the end — within the time cap.
            Complete = complete,
            Settings = interchange.Settings,
            Date = Workload.Today,
        });
        return complete ? 0 : 1;
    }
}

/// <summary>Holds a publisher to a rate: before each <see cref="Step"/> packets it waits until their time has come.</summary>
internal readonly struct Pace(int rate, long start)
{
    public const int Step = 256;

    public async ValueTask WaitAsync(int published, CancellationToken cancellationToken)
    {
        TimeSpan due = TimeSpan.FromSeconds((double)published / rate) - Stopwatch.GetElapsedTime(start);
        if (due >= TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(due, cancellationToken);
        }
    }
}
