using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Grains;

public sealed class LocalDirectoryGrainStorageTests : IDisposable
{
    private const string StateName = "counter";

    private static readonly GrainId Grain = GrainId.Create("counter", "link/billing");

    private readonly TempDirectory _root = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly StorageMetrics _metrics = new();
    private readonly LocalDirectoryGrainStorage _storage;

    public LocalDirectoryGrainStorageTests()
    {
        _storage = new LocalDirectoryGrainStorage(
            "test",
            new LocalStorageOptions { RootPath = _root.Path },
            new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())),
            _services.GetRequiredService<IActivatorProvider>(),
            _metrics,
            NullLogger<LocalDirectoryGrainStorage>.Instance);
    }

    public void Dispose()
    {
        _services.Dispose();
        _metrics.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Missing_state_reads_as_not_existing_with_a_fresh_state()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 5 }) { ETag = "stale" };

        await _storage.ReadStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Count);
    }

    [Fact]
    public async Task Written_state_reads_back_with_the_same_etag()
    {
        var written = new GrainState<CounterState>(new CounterState { Count = 3, Note = "caf\u00e9" });
        await _storage.WriteStateAsync(StateName, Grain, written);

        var read = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync(StateName, Grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal("caf\u00e9", read.State!.Note);
    }

    [Fact]
    public async Task Every_write_changes_the_etag()
    {
        var state = new GrainState<CounterState>(new CounterState());
        var etags = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            state.State!.Count = i;
            await _storage.WriteStateAsync(StateName, Grain, state);
            etags.Add(state.ETag!);
        }

        Assert.Equal(5, etags.Distinct().Count());
        Assert.StartsWith("5-", etags[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_throws_and_keeps_the_stored_state()
    {
        var first = new GrainState<CounterState>(new CounterState { Count = 1 });
        await _storage.WriteStateAsync(StateName, Grain, first);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = first.ETag };

        first.State!.Count = 2;
        await _storage.WriteStateAsync(StateName, Grain, first);

        stale.State!.Count = 99;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, Grain, stale));
        Assert.Equal(first.ETag, conflict.StoredEtag);

        var read = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(2, read.State!.Count);
    }

    [Fact]
    public async Task Creating_a_state_that_already_exists_without_its_etag_throws()
    {
        await _storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            _storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 2 })));
    }

    [Fact]
    public async Task Of_two_concurrent_writers_with_the_same_etag_exactly_one_wins()
    {
        var original = new GrainState<CounterState>(new CounterState());
        await _storage.WriteStateAsync(StateName, Grain, original);

        var writers = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => _storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = i }) { ETag = original.ETag })))
            .ToArray();
        await Task.WhenAll(writers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        Assert.Equal(1, writers.Count(w => w.IsCompletedSuccessfully));
        Assert.All(writers.Where(w => !w.IsCompletedSuccessfully), w => Assert.IsType<InconsistentStateException>(w.Exception!.InnerException));
    }

    [Fact]
    public async Task Clear_deletes_the_state_and_resets_the_grain_state()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 7 });
        await _storage.WriteStateAsync(StateName, Grain, state);

        await _storage.ClearStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Count);
        Assert.False(File.Exists(_storage.GetStatePath(StateName, Grain)));

        var read = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_throws_and_deletes_nothing()
    {
        var state = new GrainState<CounterState>(new CounterState());
        await _storage.WriteStateAsync(StateName, Grain, state);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = state.ETag };
        await _storage.WriteStateAsync(StateName, Grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, Grain, stale));
        Assert.True(File.Exists(_storage.GetStatePath(StateName, Grain)));
    }

    [Fact]
    public async Task A_state_cleared_and_written_again_does_not_accept_etags_from_before_the_clear()
    {
        var state = new GrainState<CounterState>(new CounterState());
        await _storage.WriteStateAsync(StateName, Grain, state);
        var before = new GrainState<CounterState>(new CounterState()) { ETag = state.ETag };

        await _storage.ClearStateAsync(StateName, Grain, state);
        await _storage.WriteStateAsync(StateName, Grain, state);

        Assert.NotEqual(before.ETag, state.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, Grain, before));
    }

    [Fact]
    public async Task Writes_leave_only_the_state_file_behind()
    {
        var state = new GrainState<CounterState>(new CounterState());
        for (var i = 0; i < 20; i++)
        {
            state.State!.Count = i;
            await _storage.WriteStateAsync(StateName, Grain, state);
        }

        var path = _storage.GetStatePath(StateName, Grain);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Starting_deletes_temporary_files_left_by_an_interrupted_write()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 4 });
        await _storage.WriteStateAsync(StateName, Grain, state);
        var directory = Path.GetDirectoryName(_storage.GetStatePath(StateName, Grain))!;
        var leftover = Path.Combine(directory, "~0123456789abcdef.tmp");
        await File.WriteAllBytesAsync(leftover, [1, 2, 3]);

        await _storage.InitializeAsync(CancellationToken.None);

        Assert.False(File.Exists(leftover));
        var read = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(4, read.State!.Count);
    }

    [Fact]
    public async Task States_are_kept_apart_by_state_name_and_whole_grain_id()
    {
        var ids = new[] { GrainId.Create("counter", "a"), GrainId.Create("counter", "a/b"), GrainId.Create("other", "a") };
        for (var i = 0; i < ids.Length; i++)
        {
            await _storage.WriteStateAsync(StateName, ids[i], new GrainState<CounterState>(new CounterState { Count = i + 1 }));
            await _storage.WriteStateAsync("second", ids[i], new GrainState<CounterState>(new CounterState { Count = (i + 1) * 10 }));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var first = new GrainState<CounterState>(new CounterState());
            var second = new GrainState<CounterState>(new CounterState());
            await _storage.ReadStateAsync(StateName, ids[i], first);
            await _storage.ReadStateAsync("second", ids[i], second);
            Assert.Equal(i + 1, first.State!.Count);
            Assert.Equal((i + 1) * 10, second.State!.Count);
        }
    }

    [Fact]
    public async Task A_damaged_state_file_is_reported_not_read_as_empty()
    {
        await _storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 1 }));
        var path = _storage.GetStatePath(StateName, Grain);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() =>
            _storage.ReadStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState())));
        Assert.Equal(path, error.Path);
    }
}
