using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W5;

/// <summary>
/// W5, large transfers: one payload of each size sent as parts through a silo running in its own process with
/// the local payload store, received and hashed by a second node, until DELIVERED. Reports MiB/s and the silo
/// process's resident set before the transfer and its peak (VmHWM) after, one JSON line per size. A silo that
/// has just started spends its first seconds compiling its hot paths again and again (tiered JIT); each silo
/// first carries an unreported warm-up transfer, as a silo in service would have done, and the run waits until
/// the silo is quiet again.
/// </summary>
internal static class LargeTransfers
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- w5 [options]
          --sizes S[,S...]   payload sizes, with K, M or G suffixes (binary) (default 256M,1G)
          --window W         the sender's PART window (default 8)
          --warmup S         an unreported transfer of S bytes through the same silo first (default 64M; 0 for none)
          --data PATH        where the silo keeps its data (default: a temporary directory, removed after)
          --TamTam:KEY=V     passed to the silo process, e.g. --TamTam:Gateway:MaxBody=4194304 --TamTam:Gateway:PartSize=4194304
        """;

    private const string Port = "w5/files";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = new List<long> { 256L << 20, 1L << 30 };
        int window = TransferOptions.DefaultWindow;
        long warmup = 64L << 20;
        string? data = null;
        var settings = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes":
                    sizes = [.. args[++i].Split(',').Select(ParseSize)];
                    break;
                case "--window":
                    window = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = ParseSize(args[++i]);
                    break;
                case "--data":
                    data = args[++i];
                    break;
                case var setting when setting.StartsWith("--TamTam:", StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"w5: unknown option {args[i]}\n{Usage}");
                    return 2;
            }
        }

        int status = 0;
        foreach (long size in sizes)
        {
            string dataPath = data ?? Path.Combine(Path.GetTempPath(), "tamtam-w5-" + Guid.NewGuid().ToString("N"));
            try
            {
                await Console.Error.WriteLineAsync($"w5: {size} bytes through a silo process on {dataPath}…");
                W5Result result = await RunOneAsync(size, window, warmup, dataPath, settings);
                Console.WriteLine(JsonSerializer.Serialize(result, Json));
                status |= result.Delivered ? 0 : 1;
            }
            finally
            {
                if (data is null && Directory.Exists(dataPath))
                {
                    Directory.Delete(dataPath, recursive: true);
                }
            }
        }

        return status;
    }

    private static async Task<W5Result> RunOneAsync(long size, int window, long warmup, string dataPath, List<string> settings)
    {
        const ulong Seed = 5;
        byte[] sha256 = SeededPayload.Sha256Of(Seed, size);
        await using SiloProcess silo = await SiloProcess.StartAsync(dataPath, settings);
        var options = new TamTamClientOptions { Uri = silo.Uri, ClientName = "tamtam-bench-w5" };
        await using TamTamClient receiver = await TamTamClient.ConnectAsync(options);
        await receiver.JoinAsync("w5", "receiver");
        await receiver.BindAsync(Port, PortMode.Unicast);
        await using TamTamClient sender = await TamTamClient.ConnectAsync(options);
        await sender.JoinAsync("w5", "sender");

        // Before the warm-up: the growth reported covers everything the silo did since it started listening.
        long rssBefore = silo.ReadStatusBytes("VmRSS");
        if (warmup > 0)
        {
            const ulong WarmupSeed = 6;
            Task<bool> warmupReceiving = ReceiveOneAsync(receiver, new CountingSink(), SeededPayload.Sha256Of(WarmupSeed, warmup),
                Stopwatch.StartNew(), new double[2]);
            SendReceipt warmupReceipt = await sender.SendStreamAsync(Port, new SeededPayload(WarmupSeed, warmup), null,
                new TransferOptions { Window = window, Sha256 = SeededPayload.Sha256Of(WarmupSeed, warmup) });
            await warmupReceipt.Completion;
            await warmupReceiving;
            await silo.WaitUntilQuietAsync(TimeSpan.FromSeconds(30));
        }

        long peakBefore = silo.ReadStatusBytes("VmHWM");
        TimeSpan siloCpuBefore = silo.ProcessorTime;
        TimeSpan benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

        var sink = new CountingSink();
        var clock = Stopwatch.StartNew();
        double[] received = new double[2];
        Task<bool> receiving = ReceiveOneAsync(receiver, sink, sha256, clock, received);
        SendReceipt receipt = await sender.SendStreamAsync(Port, new SeededPayload(Seed, size), null,
            new TransferOptions { Window = window, Sha256 = sha256 });
        double acceptedAt = clock.Elapsed.TotalSeconds;
        MessageStatus final = await receipt.Completion;
        bool declaredSha256 = await receiving;
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = silo.ReadStatusBytes("VmHWM");
        double siloCpu = (silo.ProcessorTime - siloCpuBefore).TotalSeconds;
        double benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds;

        return new W5Result
        {
            Backend = settings.Exists(s => s.Equals("--TamTam:Storage:Backend=blob", StringComparison.OrdinalIgnoreCase)) ? "blob" : "local",
            SizeBytes = size,
            PartSize = sender.PartSize,
            Window = window,
            WarmupBytes = warmup,
            Seconds = Math.Round(seconds, 2),
            UploadSeconds = Math.Round(acceptedAt, 2),
            DeliverSeconds = Math.Round(received[0], 2),
            ReceivedSeconds = Math.Round(received[1], 2),
            MibPerS = Math.Round(size / 1048576.0 / seconds, 1),
            UploadMibPerS = Math.Round(size / 1048576.0 / acceptedAt, 1),
            SiloCpuSeconds = Math.Round(siloCpu, 2),
            ClientsCpuSeconds = Math.Round(benchCpu, 2),
            SiloRssBeforeMib = Math.Round(rssBefore / 1048576.0, 1),
            SiloPeakRssBeforeMib = Math.Round(peakBefore / 1048576.0, 1),
            SiloPeakRssMib = Math.Round(peak / 1048576.0, 1),
            SiloPeakGrowthMib = Math.Round((peak - rssBefore) / 1048576.0, 1),
            Delivered = final.State == FinalState.Delivered && declaredSha256 && sink.Written == size,
            Settings = settings.Count == 0 ? null : string.Join(' ', settings),
        };
    }

    /// <summary>
    /// Receives one message into <paramref name="sink"/>; <paramref name="at"/> gets when its DELIVER came and when its
    /// last byte did. True when the DELIVER declared <paramref name="sha256"/>: the client checks the bytes against it
    /// (<c>ReceivePayloadAsync</c> throws on a mismatch).
    /// </summary>
    private static async Task<bool> ReceiveOneAsync(TamTamClient receiver, Stream sink, byte[] sha256, Stopwatch clock, double[] at)
    {
        await foreach (IncomingMessage message in receiver.ReceiveAsync())
        {
            at[0] = clock.Elapsed.TotalSeconds;
            await message.ReceivePayloadAsync(sink);
            at[1] = clock.Elapsed.TotalSeconds;
            await message.AckAsync();
            return message.PayloadSha256.Span.SequenceEqual(sha256);
        }

        return false;
    }

    public static long ParseSize(string text)
    {
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        return long.Parse(unit == 1 ? text : text[..^1], CultureInfo.InvariantCulture) * unit;
    }

    private sealed record W5Result
    {
        public string Workload => "w5";

        public required string Backend { get; init; }

        public required long SizeBytes { get; init; }

        public required int PartSize { get; init; }

        public required int Window { get; init; }

        /// <summary>The unreported transfer through the same silo before this one.</summary>
        public required long WarmupBytes { get; init; }

        /// <summary>From the first byte sent to the DELIVERED status (upload, verification, delivery, acknowledgement).</summary>
        public required double Seconds { get; init; }

        /// <summary>From the first byte sent to ACCEPTED: upload, commit and the server's SHA-256 check.</summary>
        public required double UploadSeconds { get; init; }

        /// <summary>From the first byte sent to the receiver's DELIVER.</summary>
        public required double DeliverSeconds { get; init; }

        /// <summary>From the first byte sent to the receiver's last byte.</summary>
        public required double ReceivedSeconds { get; init; }

        public required double MibPerS { get; init; }

        public required double UploadMibPerS { get; init; }

        /// <summary>The CPU time the silo process used during the transfer (user and system).</summary>
        public required double SiloCpuSeconds { get; init; }

        /// <summary>The CPU time the bench process (sender and receiver) used during the transfer.</summary>
        public required double ClientsCpuSeconds { get; init; }

        public required double SiloRssBeforeMib { get; init; }

        public required double SiloPeakRssBeforeMib { get; init; }

        public required double SiloPeakRssMib { get; init; }

        /// <summary>The silo's peak resident set (VmHWM) after the transfer minus its resident set (VmRSS) before the warm-up.</summary>
        public required double SiloPeakGrowthMib { get; init; }

        public required bool Delivered { get; init; }

        public string? Settings { get; init; }
    }
}
