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
/// direct: their rate (a window of SENDs outstanding) and send-to-DELIVERED p50/p99 are the direct route's figures. W1 on
/// one link and W4 run first against the same interchange, so the three compare within one run.
/// </summary>
/// <remarks>
/// A delivery through a station is acknowledged to the interchange when the station's own receiver has acknowledged it
/// (the station's default, station/README.md), so DELIVERED here means what it means in W1: the receiving node did its work.
/// </remarks>
internal static class StationRing
{
    private const int DefaultMessages = 20_000;
    private const int DefaultWindow = 256;
    private const string Port = "w8/in";
    private const string TargetLink = "w8-site-3";
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> RunAsync(WorkloadOptions options)
    {
        int messages = options.MessagesOr(DefaultMessages);
        int window = options.Window > 0 ? options.Window : DefaultWindow;
        await using Interchange interchange = await Interchange.OpenAsync(options.Server, options.SiloArguments);

        await Console.Error.WriteLineAsync($"w8: W1 on one link, {messages} messages, against {interchange.Name}…");
        WorkloadResult w1 = await AckedUnicastOverTcp.RunAsync(interchange, options with { Messages = messages }, 1);
        Console.WriteLine(w1.ToJsonLine());
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

            return await MeasureAsync(interchange, stations[2], messages, window, options);
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
        SiloArguments = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error"],
    };

    private static async Task<int> MeasureAsync(Interchange interchange, TamTamStation target, int messages, int window, WorkloadOptions options)
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
        await Console.Error.WriteLineAsync($"w8: first message through the ring: {firstStatus.State} in {ringUs / 1000:F1} ms; {messages} more on the learned route…");

        var latencies = new LatencyRecorder(messages);
        using var slots = new SemaphoreSlim(window);
        long delivered = 0;
        var pending = new List<Task>(messages);
        var meter = Stopwatch.StartNew();
        bool complete = true;
        try
        {
            for (int i = 0; i < messages; i++)
            {
                await slots.WaitAsync(limit.Token);
                long sent = Stopwatch.GetTimestamp();
                SendReceipt receipt = await sender.SendAsync(Port, payloads.For(i + 1), toTarget, limit.Token);
                pending.Add(SettleAsync(receipt, sent));
            }

            await Task.WhenAll(pending).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            complete = false;
        }

        double seconds = meter.Elapsed.TotalSeconds;
        await limit.CancelAsync();
        await acking.ContinueWith(static _ => { }, TaskScheduler.Default);
        var result = new
        {
            Workload = "w8",
            Server = interchange.Name,
            Stations = 3,
            FirstMessageState = firstStatus.State.ToString(),
            FirstMessageUs = Math.Round(ringUs),
            Messages = messages,
            Delivered = Interlocked.Read(ref delivered),
            Seconds = Math.Round(seconds, 3),
            MsgsPerS = Math.Round(Interlocked.Read(ref delivered) / seconds),
            StatusP50Us = latencies.Percentile(0.50),
            StatusP99Us = latencies.Percentile(0.99),
            Complete = complete && Interlocked.Read(ref delivered) == messages,
            PayloadBytes = options.PayloadBytes,
            Window = window,
            Date = Workload.Today,
        };
        Console.WriteLine(JsonSerializer.Serialize(result, Json));
        return result.Complete ? 0 : 1;

        async Task SettleAsync(SendReceipt receipt, long sent)
        {
            try
            {
                MessageStatus status = await receipt.WaitForCompletionAsync(limit.Token);
                if (status.IsDelivered)
                {
                    latencies.Record(sent);
                    Interlocked.Increment(ref delivered);
                }
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private static async Task AckAllAsync(TamTamClient receiver, CancellationToken cancellationToken)
    {
        await foreach (IncomingMessage message in receiver.ReceiveAsync(cancellationToken))
        {
            await message.AckAsync(cancellationToken);
        }
    }
}
