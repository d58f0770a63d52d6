using System.Diagnostics;
using System.Text.Json;
using TamTam.Bench.Workloads.W1;
using TamTam.Client;
using TamTam.Station;
using TamTam.Testing;

namespace TamTam.Bench.Workloads.W8;

/// <summary>
/// W8 acked messages from a cloud node to a node behind a station. Three stations (<c>w8-1</c>, <c>w8-2</c>, <c>w8-3</c>, in
/// this process) join the interchange without registering their links, so the interchange finds link <c>w8-site-3</c>
/// through the ring: the first message is offered to <c>w8-1</c> and <c>w8-2</c>, which pass it, and claimed by
/// <c>w8-3</c>; its send-to-DELIVERED time is the ring's figure. The claim teaches the route, and the next messages go
/// direct, sent exactly as W1 sends (<c>--window</c> SENDs awaiting ACCEPTED, <c>--outstanding</c> without a final
/// status, after an unreported warm-up): their rate and send-to-DELIVERED p50/p99 are the direct route's figures, and 500
/// messages sent one at a time on it and on W1's link give the latency of one message with nothing queued. W1 on
/// one link and W4 run first against the same interchange, and the W8 line repeats W1's figures and the ratio of the two
/// rates, so one line says how the direct route compares within its run.
/// </summary>
/// <remarks>
/// A delivery through a station is acknowledged to the interchange when the station's own receiver has acknowledged it
/// (the station's default, station/README.md), so DELIVERED here means what it means in W1: the receiving node did its work.
/// </remarks>
internal static class StationRing
{
    private const int DefaultMessages = 20_000;
    private const int DefaultWarmup = 5_000;

    // Messages sent one at a time (the next once the last is DELIVERED), on one link and on the direct route: the latency
    // of one message with nothing queued, which the loaded p50/p99 (a window outstanding) do not show.
    private const int OneAtATime = 500;
    private const string Port = "w8/in";
    private const string TargetLink = "w8-site-3";
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> RunAsync(WorkloadOptions options)
    {
        int messages = options.MessagesOr(DefaultMessages);
        int warmup = options.WarmupGiven ? options.Warmup : Math.Min(DefaultWarmup, messages);
        options = options with { Messages = messages, Warmup = warmup };
        await using Interchange interchange = await Interchange.OpenAsync(options.Server, options.SiloArguments);

        await Console.Error.WriteLineAsync($"w8: W1 on one link, {messages} messages after {warmup} unreported, against {interchange.Name}…");
        if (warmup > 0)
        {
            await AckedUnicastOverTcp.RunAsync(interchange, options with { Messages = warmup }, 1);
        }

        WorkloadResult w1 = await AckedUnicastOverTcp.RunAsync(interchange, options, 1);
        Console.WriteLine(w1.ToJsonLine());
        WorkloadResult w1Single = await AckedUnicastOverTcp.RunAsync(interchange, options with { Messages = OneAtATime, Window = 1, Outstanding = 1 }, 1);
        await Console.Error.WriteLineAsync("w8: W4 request/reply…");
        await W4.RequestReply.RunAsync(interchange, options with { Messages = Math.Min(messages, 5_000), MessagesGiven = true, WarmupGiven = true, Warmup = 1_000 });

        string data = Directory.CreateTempSubdirectory("tamtam-w8-").FullName;
        var stations = new List<TamTamStation>();
        try
        {
            for (int k = 1; k <= 3; k++)
            {
                stations.Add(await TamTamStation.StartAsync(StationOptions(k, data, interchange.Uri)));
            }

            try
            {
                await Task.WhenAll(stations.Select(s => s.WaitRegisteredAsync(SetupTimeout)));
            }
            catch (TimeoutException)
            {
                await Console.Error.WriteLineAsync($"w8: the interchange at {interchange.Uri} did not accept the stations within {SetupTimeout} (does it serve stations?)");
                return 1;
            }

            return await MeasureAsync(interchange, stations[2], w1, w1Single, options);
        }
        finally
        {
            foreach (TamTamStation station in stations)
            {
                await station.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static StationOptions StationOptions(int k, string data, Uri upstream) => new()
    {
        Name = $"w8-{k}",
        Links = [$"w8-site-{k}"],
        DataPath = Path.Combine(data, $"station-{k}"),
        ListenAddress = "127.0.0.1",
        TcpPort = 0,
        HttpPort = 0,
        SiloPort = FreePorts.Next(),
        Upstreams = [new StationUpstream(upstream)],
        RegisterLinks = false,
        SiloArguments = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error", "--Logging:Console:LogToStandardErrorThreshold=Trace"],
    };

    private static async Task<int> MeasureAsync(Interchange interchange, TamTamStation target, WorkloadResult w1, WorkloadResult w1Single,
        WorkloadOptions options)
    {
        using var limit = new CancellationTokenSource(options.Limit);
        await using TamTamClient receiver = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = target.TcpUri, ClientName = "tamtam-bench-w8" }, limit.Token);
        await receiver.JoinAsync(TargetLink, "receiver", limit.Token);
        await receiver.BindAsync(Port, cancellationToken: limit.Token);
        Task acking = AckAllAsync(receiver, limit.Token);

        await using TamTamClient sender = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = interchange.Uri, ClientName = "tamtam-bench-w8" }, limit.Token);
        await sender.JoinAsync("w8-cloud", "sender", limit.Token);
        var payloads = new RandomPayloads(options.PayloadBytes);
        var toTarget = new SendOptions { Link = TargetLink };

        long start = Stopwatch.GetTimestamp();
        SendReceipt first = await sender.SendAsync(Port, payloads.For(0), toTarget, limit.Token);
        MessageStatus firstStatus = await first.WaitForCompletionAsync(limit.Token);
        double ringUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        await Console.Error.WriteLineAsync($"w8: first message through the ring: {firstStatus.State} in {ringUs / 1000:F1} ms; "
            + $"{options.Messages} more on the learned route after {options.Warmup} unreported…");

        // As W1 sends: a window of SENDs awaiting ACCEPTED (the session's in-flight limit unless --window), at most
        // --outstanding without a final status.
        int window = options.Window > 0 ? options.Window : (int)sender.MaxInflight;
        var route = new DirectRoute(sender, toTarget, payloads, window, options.Outstanding);
        if (options.Warmup > 0)
        {
            await route.RunAsync(options.Warmup, new LatencyRecorder(options.Warmup), limit.Token);
        }

        var single = new LatencyRecorder(OneAtATime);
        await new DirectRoute(sender, toTarget, payloads, 1, 1).RunAsync(OneAtATime, single, limit.Token);
        var latencies = new LatencyRecorder(options.Messages);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        (long delivered, double seconds, bool complete) = await route.RunAsync(options.Messages, latencies, limit.Token);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await limit.CancelAsync();
        await acking.ContinueWith(static _ => { }, TaskScheduler.Default);
        double msgsPerS = Math.Round(delivered / seconds);
        var result = new
        {
            Workload = "w8",
            Server = interchange.Name,
            Settings = interchange.Settings,
            Stations = 3,
            AcknowledgeWhenFinal = target.Options.AcknowledgeWhenFinal,
            FirstMessageState = firstStatus.State.ToString(),
            FirstMessageUs = Math.Round(ringUs),
            Messages = options.Messages,
            Warmup = options.Warmup,
            Delivered = delivered,
            Seconds = Math.Round(seconds, 3),
            MsgsPerS = msgsPerS,

            // The whole process: the interchange and the three stations' silos, and both nodes.
            CpuUsPerMsg = delivered == 0 ? 0 : Math.Round(cpu.TotalMicroseconds / delivered, 1),
            StatusP50Us = latencies.Percentile(0.50),
            StatusP99Us = latencies.Percentile(0.99),
            OneAtATimeP50Us = single.Percentile(0.50),
            OneAtATimeP99Us = single.Percentile(0.99),
            W1MsgsPerS = w1.MsgsPerS,
            W1StatusP50Us = w1.StatusP50Us,
            W1StatusP99Us = w1.StatusP99Us,
            W1CpuUsPerMsg = w1.CpuUsPerMsg,
            W1OneAtATimeP50Us = w1Single.StatusP50Us,
            W1OneAtATimeP99Us = w1Single.StatusP99Us,
            DirectToW1 = w1.MsgsPerS > 0 ? Math.Round(msgsPerS / w1.MsgsPerS, 3) : (double?)null,
            Complete = complete && delivered == options.Messages && w1.Complete,
            PayloadBytes = options.PayloadBytes,
            Window = window,
            Outstanding = options.Outstanding,
            Date = Workload.Today,
        };
        Console.WriteLine(JsonSerializer.Serialize(result, Json));
        return result.Complete ? 0 : 1;
    }

    private static async Task AckAllAsync(TamTamClient receiver, CancellationToken cancellationToken)
    {
        await foreach (IncomingMessage message in receiver.ReceiveAsync(cancellationToken))
        {
            await message.AckAsync(cancellationToken);
        }
    }
}
