using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Grains;

/// <summary>The grain-storage contract on a local directory, plus what only a local directory has.</summary>
public sealed class LocalDirectoryGrainStorageTests : GrainStorageContract
{
    private readonly TempDirectory _root = new();
    private readonly StorageMetrics _metrics = new();

    private LocalDirectoryGrainStorage Local => (LocalDirectoryGrainStorage)Storage;

    protected override IGrainStorage CreateStorage() =>
        new LocalDirectoryGrainStorage(
            "test",
            new LocalStorageOptions { RootPath = _root.Path },
            Serializer,
            Activators,
            _metrics,
            NullLogger<LocalDirectoryGrainStorage>.Instance);

    protected override Task<bool> StateExistsAsync(string stateName, GrainId grainId) =>
        Task.FromResult(File.Exists(Local.GetStatePath(stateName, grainId)));

    protected override async Task<string> DamageStateAsync(string stateName, GrainId grainId)
    {
        var path = Local.GetStatePath(stateName, grainId);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _metrics.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Etags_count_the_writes_of_one_incarnation()
    {
        var state = new GrainState<CounterState>(new CounterState());
        for (var i = 0; i < 5; i++)
        {
            await Storage.WriteStateAsync(StateName, Grain, state);
        }

        Assert.StartsWith("5-", state.ETag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_leave_only_the_state_file_behind()
    {
        var state = new GrainState<CounterState>(new CounterState());
        for (var i = 0; i < 20; i++)
        {
            state.State!.Count = i;
            await Storage.WriteStateAsync(StateName, Grain, state);
        }

        var path = Local.GetStatePath(StateName, Grain);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Starting_deletes_temporary_files_left_by_an_interrupted_write()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 4 });
        await Storage.WriteStateAsync(StateName, Grain, state);
        var directory = Path.GetDirectoryName(Local.GetStatePath(StateName, Grain))!;
        var leftover = Path.Combine(directory, "~0123456789abcdef.tmp");
        await File.WriteAllBytesAsync(leftover, [1, 2, 3]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - TimeSpan.FromHours(1));

        // Being written by another silo sharing the directory: fresh, so left alone.
        var inFlight = Path.Combine(directory, "~fedcba9876543210.tmp");
        await File.WriteAllBytesAsync(inFlight, [4, 5, 6]);

        await Local.InitializeAsync(CancellationToken.None);

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(inFlight));
        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(4, read.State!.Count);
    }
}
