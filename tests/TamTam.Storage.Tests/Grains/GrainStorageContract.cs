using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace TamTam.Storage.Tests.Grains;

/// <summary>
/// What every <see cref="IGrainStorage"/> backend of TamTam must do: ETag-checked writes and clears that
/// throw <see cref="InconsistentStateException"/> on a conflict, and states kept apart by state name and
/// whole grain id. A backend's test class derives from this and supplies one storage per test.
/// </summary>
public abstract class GrainStorageContract : IAsyncLifetime
{
    protected const string StateName = "counter";

    protected static readonly GrainId Grain = GrainId.Create("counter", "link/billing");

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private IGrainStorage? _storage;

    /// <summary>The storage under test, created on first use.</summary>
    protected IGrainStorage Storage => LazyInitializer.EnsureInitialized(ref _storage, CreateStorage);

    protected IActivatorProvider Activators => _services.GetRequiredService<IActivatorProvider>();

    protected static IGrainStorageSerializer Serializer { get; } =
        new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));

    /// <summary>A new storage over this test's location.</summary>
    protected abstract IGrainStorage CreateStorage();

    /// <summary>Whether anything is stored for the state.</summary>
    protected abstract Task<bool> StateExistsAsync(string stateName, GrainId grainId);

    /// <summary>Flips a byte of the stored state; returns the location a corruption error must name.</summary>
    protected abstract Task<string> DamageStateAsync(string stateName, GrainId grainId);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        _services.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Missing_state_reads_as_not_existing_with_a_fresh_state()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 5 }) { ETag = "stale" };

        await Storage.ReadStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Count);
    }

    [Fact]
    public async Task Written_state_reads_back_with_the_same_etag()
    {
        var written = new GrainState<CounterState>(new CounterState { Count = 3, Note = "caf\u00e9" });
        await Storage.WriteStateAsync(StateName, Grain, written);

        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, Grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal("caf\u00e9", read.State!.Note);
    }

    [Fact]
    public async Task A_state_written_by_one_storage_reads_back_from_a_new_one()
    {
        var written = new GrainState<CounterState>(new CounterState { Count = 8 });
        await Storage.WriteStateAsync(StateName, Grain, written);

        var read = new GrainState<CounterState>(new CounterState());
        await CreateStorage().ReadStateAsync(StateName, Grain, read);

        Assert.Equal(8, read.State!.Count);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Every_write_changes_the_etag()
    {
        var state = new GrainState<CounterState>(new CounterState());
        var etags = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            state.State!.Count = i;
            await Storage.WriteStateAsync(StateName, Grain, state);
            etags.Add(state.ETag!);
        }

        Assert.Equal(5, etags.Distinct().Count());
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_throws_and_keeps_the_stored_state()
    {
        var first = new GrainState<CounterState>(new CounterState { Count = 1 });
        await Storage.WriteStateAsync(StateName, Grain, first);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = first.ETag };

        first.State!.Count = 2;
        await Storage.WriteStateAsync(StateName, Grain, first);

        stale.State!.Count = 99;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, Grain, stale));
        Assert.Equal(first.ETag, conflict.StoredEtag);

        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(2, read.State!.Count);
    }

    [Fact]
    public async Task Writing_with_an_etag_when_nothing_is_stored_throws()
    {
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState()) { ETag = "1-00000000000000ff" }));
        Assert.False(await StateExistsAsync(StateName, Grain));
    }

    [Fact]
    public async Task Creating_a_state_that_already_exists_without_its_etag_throws()
    {
        await Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 2 })));
    }

    [Fact]
    public async Task Of_two_concurrent_writers_with_the_same_etag_exactly_one_wins()
    {
        var original = new GrainState<CounterState>(new CounterState());
        await Storage.WriteStateAsync(StateName, Grain, original);

        var writers = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = i }) { ETag = original.ETag })))
            .ToArray();
        await Task.WhenAll(writers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        Assert.Equal(1, writers.Count(w => w.IsCompletedSuccessfully));
        Assert.All(writers.Where(w => !w.IsCompletedSuccessfully), w => Assert.IsType<InconsistentStateException>(w.Exception!.InnerException));
    }

    [Fact]
    public async Task Clear_deletes_the_state_and_resets_the_grain_state()
    {
        var state = new GrainState<CounterState>(new CounterState { Count = 7 });
        await Storage.WriteStateAsync(StateName, Grain, state);

        await Storage.ClearStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Count);
        Assert.False(await StateExistsAsync(StateName, Grain));

        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Clearing_a_state_that_was_never_written_does_nothing()
    {
        var state = new GrainState<CounterState>(new CounterState());

        await Storage.ClearStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.False(await StateExistsAsync(StateName, Grain));
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_throws_and_deletes_nothing()
    {
        var state = new GrainState<CounterState>(new CounterState());
        await Storage.WriteStateAsync(StateName, Grain, state);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = state.ETag };
        await Storage.WriteStateAsync(StateName, Grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, Grain, stale));
        Assert.True(await StateExistsAsync(StateName, Grain));
    }

    [Fact]
    public async Task Clear_without_an_etag_of_a_stored_state_throws_and_deletes_nothing()
    {
        await Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.ClearStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState())));
        Assert.True(await StateExistsAsync(StateName, Grain));
    }

    [Fact]
    public async Task A_state_cleared_and_written_again_does_not_accept_etags_from_before_the_clear()
    {
        var state = new GrainState<CounterState>(new CounterState());
        await Storage.WriteStateAsync(StateName, Grain, state);
        var before = new GrainState<CounterState>(new CounterState()) { ETag = state.ETag };

        await Storage.ClearStateAsync(StateName, Grain, state);
        await Storage.WriteStateAsync(StateName, Grain, state);

        Assert.NotEqual(before.ETag, state.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, Grain, before));
    }

    [Fact]
    public async Task States_are_kept_apart_by_state_name_and_whole_grain_id()
    {
        var ids = new[] { GrainId.Create("counter", "a"), GrainId.Create("counter", "a/b"), GrainId.Create("other", "a"), GrainId.Create("counter", "..") };
        for (var i = 0; i < ids.Length; i++)
        {
            await Storage.WriteStateAsync(StateName, ids[i], new GrainState<CounterState>(new CounterState { Count = i + 1 }));
            await Storage.WriteStateAsync("second", ids[i], new GrainState<CounterState>(new CounterState { Count = (i + 1) * 10 }));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var first = new GrainState<CounterState>(new CounterState());
            var second = new GrainState<CounterState>(new CounterState());
            await Storage.ReadStateAsync(StateName, ids[i], first);
            await Storage.ReadStateAsync("second", ids[i], second);
            Assert.Equal(i + 1, first.State!.Count);
            Assert.Equal((i + 1) * 10, second.State!.Count);
        }
    }

    [Fact]
    public async Task A_damaged_state_is_reported_not_read_as_empty()
    {
        await Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 1 }));
        var location = await DamageStateAsync(StateName, Grain);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() =>
            Storage.ReadStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState())));
        Assert.Equal(location, error.Path);
    }
}
