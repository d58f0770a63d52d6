using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace TamTam.Bench.Workloads.W5;

/// <summary>
/// The blob service's own pace for W5's work, without TamTam: one process stages a payload as blocks of one block
/// blob (Put Block, at most <c>--parallel</c> at once), commits them, then reads it back by ranges of a block. What
/// W5 on the blob backend loses beyond these figures is ours; the rest is the service's (Azurite's, here).
/// </summary>
internal static class StageBlockProbe
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- w5-stageblock --connection-string CS [options]
          --container NAME   the container to use, created if missing (default w5-stageblock)
          --size S           bytes to stage, with K, M or G suffixes (default 256M)
          --block B          block size (default 1048548, W5's part size)
          --parallel P       Put Block calls at once; also the ranged reads at once (default 8, W5's window)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? connectionString = null;
        string container = "w5-stageblock";
        long size = 256L << 20;
        int block = 1_048_548;
        int parallel = 8;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connection-string": connectionString = args[++i]; break;
                case "--container": container = args[++i]; break;
                case "--size": size = LargeTransfers.ParseSize(args[++i]); break;
                case "--block": block = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parallel": parallel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync($"w5-stageblock: unknown option {args[i]}\n{Usage}");
                    return 2;
            }
        }

        if (connectionString is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var containerClient = new BlobContainerClient(connectionString, container);
        await containerClient.CreateIfNotExistsAsync();
        BlockBlobClient blob = containerClient.GetBlockBlobClient("probe-" + Guid.NewGuid().ToString("N"));
        int blocks = (int)((size + block - 1) / block);
        byte[] bytes = new byte[block];
        Random.Shared.NextBytes(bytes);
        string[] ids = [.. Enumerable.Range(0, blocks).Select(i => Convert.ToBase64String(BitConverter.GetBytes(i)))];

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, blocks), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (index, token) =>
        {
            int length = (int)Math.Min(block, size - ((long)index * block));
            using var content = new MemoryStream(bytes, 0, length, writable: false);
            await blob.StageBlockAsync(ids[index], content, options: null, token);
        });
        double staged = clock.Elapsed.TotalSeconds;
        await blob.CommitBlockListAsync(ids);
        double committed = clock.Elapsed.TotalSeconds;

        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, blocks), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (index, token) =>
        {
            long offset = (long)index * block;
            int length = (int)Math.Min(block, size - offset);
            byte[] destination = new byte[length];
            using var download = (await blob.DownloadStreamingAsync(
                new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(offset, length) }, token)).Value;
            await download.Content.ReadExactlyAsync(destination, token);
        });
        double read = clock.Elapsed.TotalSeconds;
        await blob.DeleteIfExistsAsync();

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            workload = "w5-stageblock",
            size_bytes = size,
            block_bytes = block,
            parallel,
            stage_seconds = Math.Round(staged, 2),
            stage_mib_per_s = Math.Round(size / 1048576.0 / staged, 1),
            commit_seconds = Math.Round(committed - staged, 3),
            read_seconds = Math.Round(read, 2),
            read_mib_per_s = Math.Round(size / 1048576.0 / read, 1),
        }));
        return 0;
    }
}
