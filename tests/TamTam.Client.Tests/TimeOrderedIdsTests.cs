using TamTam.Client.Internal;

namespace TamTam.Client.Tests;

/// <summary>The ids a client draws for its messages and packets: unique, UUIDv7, across more than one run of the counter.</summary>
public sealed class TimeOrderedIdsTests
{
    [Fact]
    public void Ids_are_unique_version_7_uuids_past_the_counters_wrap()
    {
        var ids = new TimeOrderedIds();
        var seen = new HashSet<Guid>();
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 3 * 65_536 + 5; i++)
        {
            Guid id = ids.Next();
            Assert.True(seen.Add(id), $"id {i} repeats {id}");
            Assert.True(id.TryWriteBytes(bytes, bigEndian: true, out _));
            Assert.Equal(0x70, bytes[6] & 0xF0);
            Assert.Equal(0x80, bytes[8] & 0xC0);
        }
    }

    [Fact]
    public void Two_clients_draw_different_ids()
    {
        var first = new TimeOrderedIds();
        var second = new TimeOrderedIds();
        Assert.NotEqual(first.Next(), second.Next());
    }
}
