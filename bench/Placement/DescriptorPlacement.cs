using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Bench.Placement;

/// <summary>
/// Where should a small message's descriptor live? Measures, on the embedded local-directory backend,
/// the two candidates' durable cost for N messages accepted by C concurrent callers:
/// a descriptor grain per message (one grain-state write each) versus one record each in the link's
/// log behind a group committer. Activation cost of the grain variant comes on top and is not counted.
/// </summary>
internal static class DescriptorPlacement
{
    public static async Task<int> RunAsync(string[] args)
    {
        int messages = Option(args, "--messages", 5_000);
        int concurrency = Option(args, "--concurrency", 64);
        string root = Path.Combine(Path.GetTempPath(), "tamtam-placement-" + Guid.NewGuid().ToString("N"));
        try
        {
            double grainSeconds = await GrainPerMessageAsync(Path.Combine(root, "grains"), messages, concurrency);
            Report("descriptor-grain-per-message", messages, concurrency, grainSeconds);
            double logSeconds = await LogRecordPerMessageAsync(Path.Combine(root, "log"), messages, concurrency);
            Report("record-in-link-log", messages, concurrency, logSeconds);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> GrainPerMessageAsync(string root, int messages, int concurrency)
    {
        await using ServiceProvider services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        using var metrics = new StorageMetrics();
        var storage = new LocalDirectoryGrainStorage("placement", new LocalStorageOptions { RootPath = root },
            new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())),
            services.GetRequiredService<IActivatorProvider>(), metrics, NullLogger<LocalDirectoryGrainStorage>.Instance);
        byte[] payload = new byte[256];
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var state = new GrainState<DescriptorState>(new DescriptorState { Sequence = i, Payload = payload });
            await storage.WriteStateAsync("descriptor", GrainId.Create("descriptor", i.ToString(CultureInfo.InvariantCulture)), state);
        });
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> LogRecordPerMessageAsync(string root, int messages, int concurrency)
    {
        using var metrics = new StorageMetrics();
        await using var store = new LocalSegmentLogStore(new LocalStorageOptions { RootPath = root }, metrics, NullLogger<LocalSegmentLogStore>.Instance);
        await using ISegmentLog log = await store.OpenAsync("links/placement");
        await using var committer = new GroupCommitter(log, new GroupCommitterOptions(), metrics, NullLogger<GroupCommitter>.Instance);
        byte[] record = new byte[256 + 64];
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, cancellationToken) =>
        {
            await committer.CommitAsync(record, cancellationToken);
        });
        return watch.Elapsed.TotalSeconds;
    }

    private static void Report(string variant, int messages, int concurrency, double seconds) =>
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            workload = "descriptor-placement",
            variant,
            messages,
            concurrency,
            seconds = Math.Round(seconds, 3),
            msgs_per_s = Math.Round(messages / seconds),
            date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }));

    private static int Option(string[] args, string name, int fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    [GenerateSerializer]
    public sealed class DescriptorState
    {
        [Id(0)]
        public long Sequence { get; set; }

        [Id(1)]
        public byte[] Payload { get; set; } = [];
    }
}
