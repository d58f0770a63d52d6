using TamTam.Grains.Links.Internal;

namespace TamTam.Grains.Tests.Core;

/// <summary>
/// The duplicate window's ids against a plain model (a dictionary and a queue in the order remembered) over what a link
/// does with them: remember, remember again, look up, prune by time, drop the oldest past the capacity.
/// </summary>
public sealed class RememberedIdsTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 100)]
    [InlineData(4, 1_000)]
    [InlineData(5, 100_000)]
    public void Random_operations_keep_the_ids_the_model_keeps_in_the_order_it_keeps_them(int seed, int capacity)
    {
        var random = new Random(seed);
        var ids = new RememberedIds(Window, capacity);
        var model = new Model((long)Window.TotalMicroseconds, capacity);

        // Few distinct ids, so that ids are remembered again and one id comes from several senders (one hash).
        Guid[] guids = [.. Enumerable.Range(0, Math.Max(8, Math.Min(capacity * 2, 5_000))).Select(_ => Guid.NewGuid())];
        string[] nodes = ["a", "b", "c"];
        long now = 0;
        for (int step = 0; step < 30_000; step++)
        {
            now += random.Next(20);
            var key = (Link: random.Next(4) == 0 ? "other" : "link", Node: nodes[random.Next(nodes.Length)], Id: guids[random.Next(guids.Length)]);
            int choice = random.Next(100);
            if (choice < 55)
            {
                var id = new RememberedId(key.Link, key.Node, key.Id, (ulong)step + 1, now);
                ids.Add(id);
                model.Add(id);
            }
            else if (choice < 95)
            {
                Assert.Equal(model.TryGet(key, out RememberedId expected), ids.TryGet(key.Link, key.Node, key.Id, out RememberedId actual));
                Assert.Equal(expected, actual);
            }
            else
            {
                ids.Prune(now);
                model.Prune(now);
            }

            Assert.Equal(model.Count, ids.Count);
            if (step % 211 == 0)
            {
                Assert.Equal(model.All, ids.All);
            }
        }

        Assert.Equal(model.All, ids.All);
        ids.Prune(now + (long)Window.TotalMicroseconds);
        Assert.Equal(0, ids.Count);
        Assert.Empty(ids.All);
    }

    [Fact]
    public void Past_the_capacity_the_oldest_go_first_and_a_remembered_again_id_counts_from_its_new_place()
    {
        var ids = new RememberedIds(TimeSpan.FromHours(1), 3);
        RememberedId[] added = [.. Enumerable.Range(1, 3).Select(i => new RememberedId("link", "node", Guid.NewGuid(), (ulong)i, i))];
        foreach (RememberedId id in added)
        {
            ids.Add(id);
        }

        RememberedId again = added[0] with { FinalAtUs = 10 };
        ids.Add(again);
        var fourth = new RememberedId("link", "node", Guid.NewGuid(), 4, 11);
        ids.Add(fourth);

        Assert.Equal(3, ids.Count);
        Assert.False(ids.TryGet("link", "node", added[1].Id, out _));
        Assert.True(ids.TryGet("link", "node", added[0].Id, out RememberedId found));
        Assert.Equal(10, found.FinalAtUs);
        Assert.Equal([added[2], again, fourth], ids.All);
    }

    [Fact]
    public void A_capacity_of_zero_remembers_nothing()
    {
        var ids = new RememberedIds(TimeSpan.FromHours(1), 0);
        var id = new RememberedId("link", "node", Guid.NewGuid(), 1, 1);
        ids.Add(id);
        Assert.Equal(0, ids.Count);
        Assert.False(ids.TryGet(id.Link, id.Node, id.Id, out _));
    }

    /// <summary>The semantics in the plainest terms: each remembering stamped, the current one of a key its last.</summary>
    private sealed class Model(long windowUs, int capacity)
    {
        private readonly Dictionary<(string, string, Guid), (RememberedId Id, long Stamp)> _ids = [];
        private readonly Queue<(RememberedId Id, long Stamp)> _order = new();
        private long _stamp;

        public int Count => _ids.Count;

        public List<RememberedId> All => [.. _order.Where(IsCurrent).Select(e => e.Id)];

        public bool TryGet((string Link, string Node, Guid Id) key, out RememberedId id)
        {
            bool found = _ids.TryGetValue(key, out (RememberedId Id, long Stamp) entry);
            id = entry.Id;
            return found;
        }

        public void Add(RememberedId id)
        {
            if (capacity <= 0)
            {
                return;
            }

            var entry = (id, ++_stamp);
            _ids[(id.Link, id.Node, id.Id)] = entry;
            _order.Enqueue(entry);
            while (_ids.Count > capacity)
            {
                Forget(_order.Dequeue());
            }
        }

        public void Prune(long nowUs)
        {
            while (_order.TryPeek(out (RememberedId Id, long Stamp) oldest) && (!IsCurrent(oldest) || oldest.Id.FinalAtUs + windowUs <= nowUs))
            {
                Forget(_order.Dequeue());
            }
        }

        private void Forget((RememberedId Id, long Stamp) entry)
        {
            if (IsCurrent(entry))
            {
                _ids.Remove((entry.Id.Link, entry.Id.Node, entry.Id.Id));
            }
        }

        private bool IsCurrent((RememberedId Id, long Stamp) entry) =>
            _ids.TryGetValue((entry.Id.Link, entry.Id.Node, entry.Id.Id), out (RememberedId Id, long Stamp) current) && current.Stamp == entry.Stamp;
    }
}
