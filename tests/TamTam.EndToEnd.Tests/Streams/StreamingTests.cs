using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>Streaming mode (docs/protocol.md 5.16) through the real silo, gateway and client over TCP.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class StreamingTests(SharedSiloFixture silo, ITestOutputHelper output)
{
    private const string Port = "ticks";

    [Fact]
    public async Task Packets_reach_every_bound_node_in_order_and_unbound_nodes_get_nothing()
    {
        const int Packets = 2_000;
        string link = Links.Unique("stream");
        TamTamClient[] subscribers = new TamTamClient[3];
        for (int i = 0; i < subscribers.Length; i++)
        {
            subscribers[i] = await Nodes.JoinAsync(silo.Uri, link, $"sub-{i}");
            await subscribers[i].BindAsync(Port, PortMode.Group).Within();
        }

        await using TamTamClient unbound = await Nodes.JoinAsync(silo.Uri, link, "unbound");
        await unbound.BindAsync("elsewhere", PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        try
        {
            Task<List<StreamPacket>>[] receiving = [.. subscribers.Select(s => StreamPackets.TakeAsync(s, Packets))];
            for (int i = 0; i < Packets; i++)
            {
                await publisher.PublishAsync(Port, StreamPackets.Numbered(i));
            }

            foreach (List<StreamPacket> received in await Task.WhenAll(receiving).Within(TestTimeout.Batch))
            {
                Assert.Equal(Enumerable.Range(0, Packets), received.Select(p => StreamPackets.NumberOf(p)));
                ulong first = received[0].Sequence;
                Assert.Equal(Enumerable.Range(0, Packets).Select(i => first + (ulong)i), received.Select(p => p.Sequence));
                Assert.All(received, p => Assert.Equal(0, p.LostBefore));
                Assert.All(received, p => Assert.Equal(link, p.Link));
            }

            // The unbound node's first packet is the one sent to its own port after all of the others arrived.
            await publisher.PublishAsync("elsewhere", StreamPackets.Numbered(-1));
            StreamPacket only = (await StreamPackets.TakeAsync(unbound, 1).Within())[0];
            Assert.Equal("elsewhere", only.Port);
            Assert.Equal(0, subscribers.Sum(s => s.StreamPacketsLost));
        }
        finally
        {
            foreach (TamTamClient subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_receiver_acknowledges_a_packet_whose_sender_asks_for_it_and_only_then()
    {
        string link = Links.Unique("stream-ack");
        using var meter = new StreamMeter();
        await using TamTamClient receiver = await Nodes.JoinAsync(silo.Uri, link, "receiver");
        await receiver.BindAsync(Port, PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        long acksBefore = meter["tamtam.streams.acks"];

        await publisher.PublishAsync(Port, StreamPackets.Numbered(1), new StreamOptions { WantAck = true });
        await publisher.PublishAsync(Port, StreamPackets.Numbered(2));
        await publisher.PublishAsync(Port, StreamPackets.Numbered(3), new StreamOptions { WantAck = true });
        List<StreamPacket> received = await StreamPackets.TakeAsync(receiver, 3).Within();

        Assert.Equal([true, false, true], received.Select(p => p.AckRequested));
        Assert.Equal(acksBefore + 2, await meter.WaitForAsync("tamtam.streams.acks", acksBefore + 2));
    }

    [Fact]
    public async Task A_pass_to_another_link_takes_one_from_the_ttl_and_a_packet_without_one_to_spare_is_refused_visibly()
    {
        string home = Links.Unique("stream-home");
        string away = Links.Unique("stream-away");
        using var meter = new StreamMeter();
        await using TamTamClient receiver = await Nodes.JoinAsync(silo.Uri, away, "receiver");
        await receiver.BindAsync(Port, PortMode.Group).Within();
        await using TamTamClient local = await Nodes.JoinAsync(silo.Uri, away, "local");
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, home, "publisher");
        long refusalsBefore = meter["tamtam.streams.refusals"];

        await local.PublishAsync(Port, StreamPackets.Numbered(1), new StreamOptions { Ttl = 1 });
        await publisher.PublishAsync(Port, StreamPackets.Numbered(2), new StreamOptions { Link = away, Ttl = 1 });
        await publisher.PublishAsync(Port, StreamPackets.Numbered(3), new StreamOptions { Link = away, Ttl = 5 });
        List<StreamPacket> received = await StreamPackets.TakeAsync(receiver, 2).Within();

        // Two publishers: the stream orders their packets as they reach it, so look at them by payload.
        received.Sort((a, b) => StreamPackets.NumberOf(a).CompareTo(StreamPackets.NumberOf(b)));
        Assert.Equal([1, 3], received.Select(p => StreamPackets.NumberOf(p)));
        Assert.Equal([(byte)1, (byte)4], received.Select(p => p.Ttl));
        // The refusal travels on the publisher's own connection, ahead of the answer to any later request.
        await publisher.PingAsync().Within();
        Assert.Equal(1, publisher.StreamRefusals);
        Assert.Equal(ErrorCode.Expired, publisher.LastStreamRefusal?.Code);
        Assert.Equal(refusalsBefore + 1, await meter.WaitForAsync("tamtam.streams.refusals", refusalsBefore + 1));
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_loses_packets_that_are_counted_at_the_gateway_and_seen_as_sequence_gaps()
    {
        // More than the session's buffer (65,536 packets) plus what the sockets hold between the server and a
        // node that reads nothing: the gateway must drop some for this subscriber, and count them.
        const int Packets = 200_000;
        string link = Links.Unique("stream-slow");
        using var meter = new StreamMeter();
        await using RawStreamSubscriber stalled = await RawStreamSubscriber.BindAsync(silo.Uri, link, "stalled", Port);
        await using TamTamClient reader = await Nodes.JoinAsync(silo.Uri, link, "reader");
        await reader.BindAsync(Port, PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        long droppedBefore = meter["tamtam.streams.packets.dropped/slow_consumer"];
        Task<List<StreamPacket>> readerReceived = StreamPackets.TakeUntilMarkerAsync(reader);

        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync(Port, StreamPackets.Numbered(i));
        }

        // The node that reads is not held up by the stalled one: it gets every packet, or — when this machine is
        // too busy for it to keep up itself — counts each one it missed. Markers end its reading.
        using (var markers = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            while (!readerReceived.IsCompleted)
            {
                await publisher.PublishAsync(Port, StreamPackets.Numbered(-1), cancellationToken: markers.Token);
                await Task.WhenAny(readerReceived, Task.Delay(200, markers.Token));
            }
        }

        List<StreamPacket> taken = await readerReceived;
        List<StreamPacket> all = [.. taken.Where(p => StreamPackets.NumberOf(p) >= 0)];
        long readerMissed = Packets - all.Count;
        Assert.True(readerMissed <= reader.StreamPacketsLost + reader.StreamPacketsDropped,
            $"the reader missed {readerMissed} packets and counted {reader.StreamPacketsLost} lost, {reader.StreamPacketsDropped} dropped");
        long dropped = await meter.WaitForAsync("tamtam.streams.packets.dropped/slow_consumer", droppedBefore + 1) - droppedBefore;

        // Once the stalled node reads, what it missed shows as gaps in its sequences. Its last packets may have
        // been dropped too, so markers are published after the run until one gets through.
        // One publisher numbers its packets 0, 1, …, and the port numbers them in that order: any packet the reader
        // got fixes the run's first and last sequence.
        ulong first = all[0].Sequence - (ulong)StreamPackets.NumberOf(all[0]);
        ulong last = first + Packets - 1;
        Task<List<ulong>> reading = stalled.ReadUntilAsync(last + 1);
        using (var markers = new CancellationTokenSource(TestTimeout.Batch))
        {
            while (!reading.IsCompleted)
            {
                await publisher.PublishAsync(Port, StreamPackets.Numbered(-1), cancellationToken: markers.Token);
                await Task.WhenAny(reading, Task.Delay(200, markers.Token));
            }
        }

        List<ulong> sequences = [.. (await reading).Where(s => s <= last)];
        long gaps = (long)(sequences[0] - first) + (long)(last - sequences[^1]);
        for (int i = 1; i < sequences.Count; i++)
        {
            Assert.True(sequences[i] > sequences[i - 1], "sequences only grow");
            gaps += (long)(sequences[i] - sequences[i - 1] - 1);
        }

        long droppedByGateway = meter["tamtam.streams.packets.dropped/slow_consumer"] - droppedBefore;
        Assert.True(dropped > 0);
        Assert.True(gaps > 0);
        Assert.Equal(Packets, sequences.Count + gaps);
        Assert.True(droppedByGateway >= gaps, $"the gateway counted {droppedByGateway} drops, the subscriber saw {gaps} missing");
    }

    [Fact]
    public async Task A_publisher_that_outruns_a_subscriber_still_reading_is_held_back_and_the_subscriber_loses_nothing()
    {
        using var meter = new StreamMeter();
        long holdBacksBefore = meter["tamtam.streams.holdbacks"];

        // The rule has a clock in it: a subscriber whose socket takes nothing for a second counts as stopped, and loses
        // packets rather than hold its publisher back. A machine starved of CPU can stall a subscriber still reading
        // that long, so a run that lost packets is tried once more, and that one must lose nothing. A hold-back that
        // does not work loses packets every time.
        List<ulong> sequences = await HeldBackRunAsync();
        if (sequences.Count != HeldBackPackets)
        {
            output.WriteLine($"the first run lost packets (the subscriber read {sequences.Count} of {HeldBackPackets}); trying once more");
            sequences = await HeldBackRunAsync();
        }

        Assert.Equal(HeldBackPackets, sequences.Count);
        for (int i = 0; i < sequences.Count; i++)
        {
            Assert.Equal((ulong)i + 1, sequences[i]);
        }

        Assert.True(meter["tamtam.streams.holdbacks"] > holdBacksBefore, "the publisher was never held back");
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_holds_large_packets_only_up_to_its_byte_bound()
    {
        // 200 packets of 512 KiB (100 MiB): far below the 65,536 packets a session buffers for its subscriber, far above
        // the 32 MiB of frames it may hold. The gateway must drop for the stalled node rather than hold it all.
        const int Packets = 200;
        string link = Links.Unique("stream-large");
        using var meter = new StreamMeter();
        await using RawStreamSubscriber stalled = await RawStreamSubscriber.BindAsync(silo.Uri, link, "stalled", Port);
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        long droppedBefore = meter["tamtam.streams.packets.dropped/slow_consumer"];
        byte[] payload = new byte[512 * 1024];

        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync(Port, payload).AsTask().Within();
        }

        long dropped = await meter.WaitForAsync("tamtam.streams.packets.dropped/slow_consumer", droppedBefore + 1) - droppedBefore;
        Assert.InRange(dropped, 1, Packets);
        Assert.Equal(0, publisher.StreamRefusals);
    }

    // Several times what a session buffers before it drops (65,536 packets) plus what the sockets hold, published as fast
    // as the connection takes them to a node that reads at a fraction of that pace: unless the publisher is held back,
    // the gateway has to drop.
    private const int HeldBackPackets = 300_000;

    /// <summary>One run of the hold-back test on a link of its own; the sequences the slow subscriber read.</summary>
    private async Task<List<ulong>> HeldBackRunAsync()
    {
        string link = Links.Unique("stream-held");
        await using RawStreamSubscriber slow = await RawStreamSubscriber.BindAsync(silo.Uri, link, "slow", Port);
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        // The port is new, so its stream numbers this run's packets 1 to HeldBackPackets.
        Task<List<ulong>> reading = slow.ReadUntilAsync(HeldBackPackets, pauseEvery: 256);
        for (int i = 0; i < HeldBackPackets; i++)
        {
            await publisher.PublishAsync(Port, StreamPackets.Numbered(i));
        }

        Assert.Equal(0, publisher.StreamRefusals);
        try
        {
            return await reading.WaitAsync(TestTimeout.Batch);
        }
        catch (TimeoutException)
        {
            // The last packets were lost too, so the reading never saw the end.
            return [];
        }
    }
}
