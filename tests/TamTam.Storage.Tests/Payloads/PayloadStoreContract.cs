using TamTam.Storage.Payloads;

namespace TamTam.Storage.Tests.Payloads;

/// <summary>
/// What every <see cref="IPayloadStore"/> backend must do. A backend's test class derives from this and
/// supplies stores over one location per test; every store it creates must see the same payloads.
/// </summary>
public abstract class PayloadStoreContract : IAsyncLifetime
{
    /// <summary>Small parts, so that payloads of a few parts stay cheap and reads cross many boundaries.</summary>
    protected const int PartSize = 1000;

    private IPayloadStore? _store;

    /// <summary>A new store over this test's location (a new instance, as after a restart).</summary>
    protected abstract IPayloadStore CreateStore();

    /// <summary>
    /// The store most tests use, created on first use. Tests reach it from several threads at once: one
    /// instance per test, never two racing on one directory (each new instance sweeps temporary files).
    /// </summary>
    protected IPayloadStore Store => LazyInitializer.EnsureInitialized(ref _store, CreateStore);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Parts_staged_out_of_order_are_committed_and_read_back_in_order()
    {
        var id = Guid.NewGuid();
        var payload = Payload(4500);
        foreach (var index in new[] { 3, 0, 4, 2, 1 })
        {
            await StageAsync(Store, id, payload, index);
        }

        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 777));
    }

    [Fact]
    public async Task Staging_an_index_again_replaces_it_and_the_last_write_wins()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await Store.StagePartAsync(id, 1, new byte[10]);
        await Store.StagePartAsync(id, 2, Payload(PartSize, seed: 9));
        for (var index = 0; index < 3; index++)
        {
            await StageAsync(Store, id, payload, index);
        }

        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal([0, 1, 2], await Store.GetStagedPartsAsync(id));
        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 4096));
    }

    [Fact]
    public async Task Staged_parts_are_listed_ascending_and_an_unknown_payload_has_none()
    {
        var id = Guid.NewGuid();
        var payload = Payload(10 * PartSize);
        foreach (var index in new[] { 7, 2, 9, 0 })
        {
            await StageAsync(Store, id, payload, index);
        }

        Assert.Equal([0, 2, 7, 9], await Store.GetStagedPartsAsync(id));
        Assert.Empty(await Store.GetStagedPartsAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Committed_parts_are_still_listed_as_staged()
    {
        var id = Guid.NewGuid();
        var payload = Payload(1500);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal([0, 1], await Store.GetStagedPartsAsync(id));
    }

    [Fact]
    public async Task Commit_with_a_missing_part_throws_naming_it_and_commits_nothing()
    {
        var id = Guid.NewGuid();
        var payload = Payload(3500);
        foreach (var index in new[] { 0, 1, 3 })
        {
            await StageAsync(Store, id, payload, index);
        }

        var error = await Assert.ThrowsAsync<PayloadIncompleteException>(async () => await Store.CommitAsync(id, Layout(payload)));

        Assert.Equal(id, error.TransferId);
        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PayloadNotFoundException>(async () => await Store.ReadAsync(id, 0, new byte[10]));

        // Staging what was missing makes the same commit succeed.
        await StageAsync(Store, id, payload, 2);
        await Store.CommitAsync(id, Layout(payload));
        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 1000));
    }

    [Fact]
    public async Task Commit_with_a_short_middle_part_throws_naming_it()
    {
        var id = Guid.NewGuid();
        var payload = Payload(3000);
        await StageAllAsync(Store, id, payload);
        await Store.StagePartAsync(id, 1, payload.AsMemory(PartSize, PartSize - 1));

        var error = await Assert.ThrowsAsync<PayloadIncompleteException>(async () => await Store.CommitAsync(id, Layout(payload)));

        Assert.Contains("part 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_with_a_last_part_of_the_wrong_size_throws()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2300);
        await StageAllAsync(Store, id, payload);
        await Store.StagePartAsync(id, 2, Payload(PartSize, seed: 3));

        var error = await Assert.ThrowsAsync<PayloadIncompleteException>(async () => await Store.CommitAsync(id, Layout(payload)));

        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_of_a_payload_with_no_part_throws()
    {
        await Assert.ThrowsAsync<PayloadIncompleteException>(async () =>
            await Store.CommitAsync(Guid.NewGuid(), PayloadLayout.For(10, PartSize)));
    }

    [Fact]
    public async Task Commit_is_idempotent()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2001);
        await StageAllAsync(Store, id, payload);

        await Store.CommitAsync(id, Layout(payload));
        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 333));
    }

    [Fact]
    public async Task Commit_leaves_out_parts_beyond_the_layout()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2000);
        await StageAllAsync(Store, id, payload);
        await Store.StagePartAsync(id, 5, Payload(PartSize, seed: 5));

        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal([0, 1], await Store.GetStagedPartsAsync(id));
        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 5000));
    }

    [Fact]
    public async Task A_payload_smaller_than_one_part_is_one_short_part()
    {
        var id = Guid.NewGuid();
        var payload = Payload(17);
        await Store.StagePartAsync(id, 0, payload);
        await Store.CommitAsync(id, Layout(payload));

        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 100));
    }

    [Theory]
    [InlineData(0, 4500)]
    [InlineData(999, 2)]
    [InlineData(1000, 1000)]
    [InlineData(1, 2998)]
    [InlineData(2500, 1999)]
    [InlineData(4499, 1)]
    public async Task Ranged_reads_return_exactly_the_bytes_asked_for_across_part_boundaries(long offset, int length)
    {
        var id = Guid.NewGuid();
        var payload = Payload(4500);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));

        var destination = new byte[length];
        var read = await Store.ReadAsync(id, offset, destination);

        Assert.Equal(length, read);
        Assert.Equal(payload.AsSpan((int)offset, length).ToArray(), destination);
    }

    [Fact]
    public async Task A_read_near_the_end_returns_what_is_left_and_a_read_at_or_past_the_end_returns_zero()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));

        var destination = new byte[1000];
        Assert.Equal(300, await Store.ReadAsync(id, 2200, destination));
        Assert.Equal(payload.AsSpan(2200).ToArray(), destination.AsSpan(0, 300).ToArray());
        Assert.Equal(0, await Store.ReadAsync(id, 2500, destination));
        Assert.Equal(0, await Store.ReadAsync(id, 10_000, destination));
    }

    [Fact]
    public async Task Reading_a_payload_that_is_only_staged_or_unknown_throws_not_found()
    {
        var id = Guid.NewGuid();
        var payload = Payload(1500);
        await StageAllAsync(Store, id, payload);

        var staged = await Assert.ThrowsAsync<PayloadNotFoundException>(async () => await Store.ReadAsync(id, 0, new byte[10]));
        Assert.Equal(id, staged.TransferId);
        await Assert.ThrowsAsync<PayloadNotFoundException>(async () => await Store.ReadAsync(Guid.NewGuid(), 0, new byte[10]));
    }

    [Fact]
    public async Task Deleting_a_staged_only_payload_removes_its_parts()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(Store, id, payload);

        await Store.DeleteAsync(id);

        Assert.Empty(await Store.GetStagedPartsAsync(id));
        await Assert.ThrowsAsync<PayloadIncompleteException>(async () => await Store.CommitAsync(id, Layout(payload)));
        Assert.Empty(await CreateStore().GetStagedPartsAsync(id));
    }

    [Fact]
    public async Task Deleting_a_committed_payload_makes_it_unreadable_and_forgets_its_parts()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));

        await Store.DeleteAsync(id);

        await Assert.ThrowsAsync<PayloadNotFoundException>(async () => await Store.ReadAsync(id, 0, new byte[10]));
        Assert.Empty(await Store.GetStagedPartsAsync(id));
    }

    [Fact]
    public async Task A_deleted_payload_can_be_staged_again_from_scratch()
    {
        var id = Guid.NewGuid();
        await StageAllAsync(Store, id, Payload(2500));
        await Store.CommitAsync(id, PayloadLayout.For(2500, PartSize));
        await Store.DeleteAsync(id);

        var second = Payload(1200, seed: 2);
        await StageAllAsync(Store, id, second);
        await Store.CommitAsync(id, Layout(second));

        Assert.Equal([0, 1], await Store.GetStagedPartsAsync(id));
        Assert.Equal(second, await ReadAllAsync(Store, id, second.Length, chunk: 700));
    }

    [Fact]
    public async Task Deleting_an_unknown_payload_does_nothing()
    {
        await Store.DeleteAsync(Guid.NewGuid());
    }

    [Fact]
    public async Task Deleting_one_payload_leaves_the_others()
    {
        var kept = Guid.NewGuid();
        var deleted = Guid.NewGuid();
        var payload = Payload(1500);
        await StageAllAsync(Store, kept, payload);
        await StageAllAsync(Store, deleted, Payload(1500, seed: 4));
        await Store.CommitAsync(kept, Layout(payload));

        await Store.DeleteAsync(deleted);

        Assert.Equal(payload, await ReadAllAsync(Store, kept, payload.Length, chunk: 1500));
    }

    [Fact]
    public async Task Concurrent_staging_of_many_parts_keeps_every_one()
    {
        var id = Guid.NewGuid();
        var payload = Payload(40 * PartSize - 123);
        var layout = Layout(payload);

        await Task.WhenAll(Enumerable.Range(0, layout.PartCount).Select(index => Task.Run(async () => await StageAsync(Store, id, payload, index))));
        await Store.CommitAsync(id, layout);

        Assert.Equal(Enumerable.Range(0, layout.PartCount), await Store.GetStagedPartsAsync(id));
        Assert.Equal(payload, await ReadAllAsync(Store, id, payload.Length, chunk: 2222));
    }

    [Fact]
    public async Task Concurrent_transfers_do_not_mix()
    {
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();
        var payloads = ids.Select((_, i) => Payload(2000 + (i * 300), seed: i)).ToArray();

        await Task.WhenAll(ids.Select((id, i) => Task.Run(async () =>
        {
            await StageAllAsync(Store, id, payloads[i]);
            await Store.CommitAsync(id, Layout(payloads[i]));
        })));

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(payloads[i], await ReadAllAsync(Store, ids[i], payloads[i].Length, chunk: 900));
        }
    }

    [Fact]
    public async Task Staged_and_committed_payloads_survive_reopening_the_store()
    {
        var staged = Guid.NewGuid();
        var committed = Guid.NewGuid();
        var payload = Payload(3500);
        await StageAsync(Store, staged, payload, 0);
        await StageAsync(Store, staged, payload, 2);
        await StageAllAsync(Store, committed, payload);
        await Store.CommitAsync(committed, Layout(payload));

        var reopened = CreateStore();

        Assert.Equal(payload, await ReadAllAsync(reopened, committed, payload.Length, chunk: 1234));
        Assert.Equal([0, 2], await reopened.GetStagedPartsAsync(staged));
        await StageAsync(reopened, staged, payload, 1);
        await StageAsync(reopened, staged, payload, 3);
        await reopened.CommitAsync(staged, Layout(payload));
        Assert.Equal(payload, await ReadAllAsync(CreateStore(), staged, payload.Length, chunk: 4000));
    }

    [Fact]
    public async Task Empty_parts_and_negative_indexes_are_refused()
    {
        var id = Guid.NewGuid();

        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.StagePartAsync(id, 0, ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.StagePartAsync(id, -1, new byte[3]));
        Assert.Empty(await Store.GetStagedPartsAsync(id));
    }

    [Fact]
    public async Task An_inconsistent_layout_is_refused()
    {
        var id = Guid.NewGuid();
        await Store.StagePartAsync(id, 0, new byte[10]);

        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.CommitAsync(id, new PayloadLayout(10, PartSize, 2)));
    }

    /// <summary>Deterministic bytes that differ from position to position and from seed to seed.</summary>
    protected static byte[] Payload(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static PayloadLayout Layout(byte[] payload) => PayloadLayout.For(payload.Length, PartSize);

    protected static async Task StageAsync(IPayloadStore store, Guid id, byte[] payload, int index)
    {
        var layout = Layout(payload);
        await store.StagePartAsync(id, index, payload.AsMemory(index * PartSize, layout.SizeOfPart(index)));
    }

    protected static async Task StageAllAsync(IPayloadStore store, Guid id, byte[] payload)
    {
        for (var index = 0; index < Layout(payload).PartCount; index++)
        {
            await StageAsync(store, id, payload, index);
        }
    }

    /// <summary>Reads the payload back in chunks of <paramref name="chunk"/> bytes, as a receiver would.</summary>
    protected static async Task<byte[]> ReadAllAsync(IPayloadStore store, Guid id, int size, int chunk)
    {
        var result = new byte[size];
        var buffer = new byte[chunk];
        long offset = 0;
        while (true)
        {
            var read = await store.ReadAsync(id, offset, buffer);
            if (read == 0)
            {
                break;
            }

            Assert.True(offset + read <= size, "a read returned bytes past the payload's end");
            buffer.AsSpan(0, read).CopyTo(result.AsSpan((int)offset));
            offset += read;
        }

        Assert.Equal(size, offset);
        return result;
    }
}
