using System.Buffers;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class StreamReceiveTests
{
    [Fact]
    public async Task Large_packets_the_application_does_not_read_wait_up_to_32_MiB_and_the_rest_are_dropped_and_counted()
    {
        // 200 packets of 256 KiB (50 MiB), far below the packet capacity: the byte bound keeps 128 of them.
        const int Packets = 200;
        const int Kept = 128;
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        byte[] payload = new byte[256 * 1024];
        for (int i = 0; i < Packets; i++)
        {
            await session.Peer.SendAsync(new StreamFrame(Guid.CreateVersion7(), Utf8Text.From("billing"), Utf8Text.From("ticks"), Ttl: 1,
                StreamSequence: (ulong)i + 1, WantAck: false, Subtree: false, new ReadOnlySequence<byte>(payload)));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (session.Client.StreamPacketsDropped < Packets - Kept)
        {
            await Task.Delay(10, timeout.Token);
        }

        // One more after the application has read: it reports every packet dropped before it.
        var received = new List<StreamPacket>();
        await using IAsyncEnumerator<StreamPacket> packets = session.Client.ReceiveStreamAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (received.Count < Kept)
        {
            Assert.True(await packets.MoveNextAsync());
            received.Add(packets.Current);
        }

        await session.Peer.SendAsync(new StreamFrame(Guid.CreateVersion7(), Utf8Text.From("billing"), Utf8Text.From("ticks"), Ttl: 1,
            StreamSequence: Packets + 1, WantAck: false, Subtree: false, new ReadOnlySequence<byte>(payload)));
        Assert.True(await packets.MoveNextAsync());

        Assert.Equal(Enumerable.Range(1, Kept).Select(s => (ulong)s), received.Select(p => p.Sequence));
        Assert.Equal(Packets - Kept, session.Client.StreamPacketsDropped);
        Assert.Equal((ulong)Packets + 1, packets.Current.Sequence);
        Assert.Equal(Packets - Kept, packets.Current.LostBefore);
    }
}
