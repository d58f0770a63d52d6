using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Sessions;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using Xunit.Abstractions;
using StreamPacket = TamTam.Client.StreamPacket;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>
/// Streaming mode across a two-silo cluster in this process (localhost clustering, the second silo joining the
/// first): the port grain on one silo pushes each batch to the relay of every silo with subscribers, drops a relay
/// whose silo leaves, and, when it moves itself, starts its sequence again and reaches every silo's relay at once.
/// </summary>
public sealed class TwoSiloStreamingTests(ITestOutputHelper output) : TwoSiloTest
{
    private const string Port = "ticks";

    [Fact]
    public async Task Packets_from_publishers_on_either_silo_reach_subscribers_on_both_in_one_order()
    {
        const int PerPublisher = 2_000;
        string link = Links.Unique("two-silo-stream");
        await using TamTamClient near = await SubscribeAsync(First, link, "near");
        await using TamTamClient far = await SubscribeAsync(Second, link, "far");
        await using TamTamClient publisherOnFirst = await Nodes.JoinAsync(First.Uri, link, "publisher-1");
        await using TamTamClient publisherOnSecond = await Nodes.JoinAsync(Second.Uri, link, "publisher-2");

        Task<List<StreamPacket>> nearReceived = StreamPackets.TakeAsync(near, 2 * PerPublisher);
        Task<List<StreamPacket>> farReceived = StreamPackets.TakeAsync(far, 2 * PerPublisher);
        Task publishing = PublishAsync(publisherOnSecond, PerPublisher, offset: PerPublisher);
        await PublishAsync(publisherOnFirst, PerPublisher, offset: 0);
        await publishing;

        List<StreamPacket> nearPackets = await nearReceived.Within(TestTimeout.Batch);
        List<StreamPacket> farPackets = await farReceived.Within(TestTimeout.Batch);

        // One sequencer: both subscribers see the same packets under the same consecutive sequences, and each
        // publisher's packets in the order it sent them.
        Assert.Equal(nearPackets.Select(p => p.Sequence), farPackets.Select(p => p.Sequence));
        Assert.Equal(nearPackets.Select(p => p.PacketId), farPackets.Select(p => p.PacketId));
        ulong first = nearPackets[0].Sequence;
        Assert.Equal(Enumerable.Range(0, 2 * PerPublisher).Select(i => first + (ulong)i), nearPackets.Select(p => p.Sequence));
        foreach (List<StreamPacket> received in (List<StreamPacket>[])[nearPackets, farPackets])
        {
            Assert.Equal(Enumerable.Range(0, PerPublisher), Numbers(received).Where(n => n < PerPublisher));
            Assert.Equal(Enumerable.Range(PerPublisher, PerPublisher), Numbers(received).Where(n => n >= PerPublisher));
        }

        Assert.Equal(0, near.StreamPacketsLost + far.StreamPacketsLost);
        Assert.Equal(0, publisherOnFirst.StreamRefusals + publisherOnSecond.StreamRefusals);
    }

    [Fact]
    public async Task A_publisher_that_outruns_a_subscriber_on_another_silo_still_reading_is_held_back_and_the_subscriber_loses_nothing()
    {
        // As on one silo (StreamingTests): the stall rule has a clock in it, so a run that lost packets on a machine
        // starved of CPU is tried once more, and that one must lose nothing.
        bool lostNothing = await HeldBackRunAsync();
        if (!lostNothing)
        {
            output.WriteLine("the first run lost packets; trying once more");
            lostNothing = await HeldBackRunAsync();
        }

        Assert.True(lostNothing, "the subscriber lost packets in both runs");
    }

    /// <summary>
    /// One run on a link of its own: several times what the subscriber's session buffers before it drops (65,536
    /// packets), published as fast as the connection takes them, so that the subscriber's relay, on the other silo, must
    /// report its lag for the publisher to wait. True when every packet came, in order.
    /// </summary>
    private async Task<bool> HeldBackRunAsync()
    {
        const int Packets = 300_000;
        string link = Links.Unique("two-silo-held");
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");

        // The first publish activates the port's grain on the publisher's silo: the subscriber is on the other one.
        await publisher.PublishAsync(Port, StreamPackets.Numbered(-1)).AsTask().Within();
        await using RawStreamSubscriber slow = await RawStreamSubscriber.BindAsync(Second.Uri, link, "slow", Port);

        // That first packet took sequence 1. Its publish returns once it is sent, so it may reach the port after the
        // binding and come to the subscriber first: everything published after the binding must arrive, in order.
        Task<List<ulong>> reading = slow.ReadUntilAsync(Packets + 1, pauseEvery: 256);
        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync(Port, StreamPackets.Numbered(i));
        }

        Assert.Equal(0, publisher.StreamRefusals);
        List<ulong> sequences;
        try
        {
            sequences = await reading.WaitAsync(TestTimeout.Batch);
        }
        catch (TimeoutException)
        {
            // The last packets were lost too, so the reading never saw the end.
            return false;
        }

        return sequences.SkipWhile(s => s == 1).SequenceEqual(Enumerable.Range(2, Packets).Select(s => (ulong)s));
    }

    [Fact]
    public async Task A_silo_that_leaves_is_dropped_by_the_port_and_the_others_keep_receiving_everything()
    {
        // More than a relay may have waiting (65,536 packets): a port still sending to the departed silo would refuse.
        const int AfterLeaving = 70_000;
        string link = Links.Unique("two-silo-leave");

        // Bound on the first silo first: the port grain is placed there, so it stays when the second one leaves.
        await using TamTamClient near = await SubscribeAsync(First, link, "near");
        TamTamClient far = await SubscribeAsync(Second, link, "far");
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");

        Task<List<StreamPacket>> farReceived = StreamPackets.TakeAsync(far, 100);
        await PublishAsync(publisher, 100, offset: 0);
        Assert.Equal(Enumerable.Range(0, 100), Numbers(await farReceived.Within(TestTimeout.Batch)));

        await Second.StopAsync();
        await far.DisposeAsync();

        // Placement prefers the first caller's silo but does not promise it: should the port grain have lived on the
        // second silo, a new activation numbers from 1 again and packets in flight at the move are lost. Markers
        // until one arrives make sure the port serves the first silo before the run that counts.
        await ReadThroughMarkersAsync(publisher, near);
        long lostBefore = near.StreamPacketsLost + near.StreamPacketsDropped;

        Task<List<StreamPacket>> nearReceived = ReadThroughMarkersAsync(publisher, near, PublishAsync(publisher, AfterLeaving, offset: 100));

        // The port refused nothing: it stopped sending to the departed silo's relay. The subscriber gets every
        // packet in order, or — when this machine is too busy for it to keep up — counts each one it missed.
        List<int> numbers = [.. Numbers(await nearReceived).Where(n => n >= 100)];
        await publisher.PingAsync().Within();
        Assert.Equal(0, publisher.StreamRefusals);
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        long missed = AfterLeaving - numbers.Count;
        long counted = near.StreamPacketsLost + near.StreamPacketsDropped - lostBefore;
        Assert.True(missed <= counted, $"the subscriber missed {missed} packets and counted {counted} lost or dropped");
    }

    [Fact]
    public async Task A_port_that_moves_to_another_silo_starts_its_sequence_again_and_reaches_its_subscribers_at_once()
    {
        const int AfterMoving = 1_000;
        string link = Links.Unique("two-silo-move");

        // Bound on the second silo first: the port grain is placed there, and must move when that silo leaves.
        TamTamClient leaving = await SubscribeAsync(Second, link, "leaving");
        await using TamTamClient staying = await SubscribeAsync(First, link, "staying");
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");

        // Far more than the new activation numbers after the move: the restart shows as a lower sequence, not as a gap.
        const int BeforeMoving = 2 * AfterMoving;
        Task<List<StreamPacket>> before = StreamPackets.TakeAsync(staying, BeforeMoving);
        await PublishAsync(publisher, BeforeMoving, offset: 0);
        ulong last = (await before.Within(TestTimeout.Batch))[^1].Sequence;

        await Second.StopAsync();
        await leaving.DisposeAsync();

        // The new activation finds the first silo's relay from the cluster's membership at its first batch: every
        // packet published after the move arrives, none is lost, nothing is refused.
        Task<List<StreamPacket>> after = StreamPackets.TakeAsync(staying, AfterMoving);
        await PublishAsync(publisher, AfterMoving, offset: BeforeMoving);
        List<StreamPacket> packets = await after.Within(TestTimeout.Batch);

        Assert.Equal(Enumerable.Range(BeforeMoving, AfterMoving), Numbers(packets));
        Assert.True(packets[0].Sequence <= last, $"sequence {packets[0].Sequence} after {last}: a restart starts low");
        Assert.Equal(Enumerable.Range(0, AfterMoving).Select(i => packets[0].Sequence + (ulong)i), packets.Select(p => p.Sequence));
        Assert.Equal(0, staying.StreamPacketsLost);
        await publisher.PingAsync().Within();
        Assert.Equal(0, publisher.StreamRefusals);
    }

    [Fact]
    public async Task A_subtree_binding_on_one_silo_receives_a_port_below_it_that_the_silo_had_turned_away()
    {
        const string Below = "ticks/fast";
        string link = Links.Unique("two-silo-subtree");
        await using TamTamClient near = await Nodes.JoinAsync(First.Uri, link, "near");
        await near.BindAsync(Below, PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");

        // The port publishes while nobody on the second silo wants it: that silo's relay turns it away, and the
        // port stops sending there.
        Task<List<StreamPacket>> warming = StreamPackets.TakeAsync(near, 100);
        await PublishAsync(publisher, Below, 100, offset: 0);
        Assert.Equal(Enumerable.Range(0, 100), Numbers(await warming.Within(TestTimeout.Batch)));

        // A subtree binding above the port on the second silo (beside a sibling whose name only starts the same):
        // the relay tells the port it had turned away before the OK, so every packet published afterwards reaches it.
        await using TamTamClient far = await Nodes.JoinAsync(Second.Uri, link, "far");
        await far.BindAsync("tick", PortMode.Group, subtree: true).Within();
        await far.BindAsync(Port, PortMode.Group, subtree: true).Within();
        Task<List<StreamPacket>> farReceived = StreamPackets.TakeAsync(far, 100);
        Task<List<StreamPacket>> nearAlso = StreamPackets.TakeAsync(near, 100);
        await PublishAsync(publisher, Below, 100, offset: 100);
        List<StreamPacket> packets = await farReceived.Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(100, 100), Numbers(await nearAlso.Within(TestTimeout.Batch)));

        Assert.Equal(Enumerable.Range(100, 100), Numbers(packets));
        Assert.All(packets, p => Assert.Equal(Below, p.Port));
        Assert.Equal(0, far.StreamPacketsLost);

        // A STREAM with SUBTREE published on the second silo above the first silo's binding reaches it.
        await using TamTamClient secondPublisher = await Nodes.JoinAsync(Second.Uri, link, "publisher-2");
        Task<List<StreamPacket>> nearReceived = StreamPackets.TakeAsync(near, 10);
        for (int i = 0; i < 10; i++)
        {
            await secondPublisher.PublishAsync(Port, StreamPackets.Numbered(200 + i), new StreamOptions { Subtree = true });
        }

        List<StreamPacket> fromSubtree = await nearReceived.Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(200, 10), Numbers(fromSubtree));
        Assert.All(fromSubtree, p => Assert.True(p.Subtree && p.Port == Port));
        Assert.Equal(0, near.StreamPacketsLost);
    }

    [Fact]
    public async Task A_port_whose_relay_lags_too_far_refuses_with_302_and_the_publisher_is_told()
    {
        // A relay that never answers, registered as the second silo's (which has no subscriber of its own here): what
        // waits for it fills the port's bound (65,536 packets), after which the port refuses whole batches and numbers nothing.
        const int Packets = 80_000;
        string link = Links.Unique("stream-full");
        using var meter = new StreamMeter();
        var lagging = new LaggingRelay();
        IStreamRelay reference = First.Grains.CreateObjectReference<IStreamRelay>(lagging);
        try
        {
            await using TamTamClient receiver = await SubscribeAsync(First, link, "receiver");
            await RegisterAsSecondSilosAsync(link, reference);
            await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");
            long publishedBefore = meter["tamtam.streams.packets.published"];
            long refusedBefore = meter["tamtam.streams.packets.refused"];
            Task<List<StreamPacket>> receiving = StreamPackets.TakeUntilMarkerAsync(receiver);

            for (int i = 0; i < Packets; i++)
            {
                await publisher.PublishAsync(Port, StreamPackets.Numbered(i));
            }

            // Every packet is either numbered or refused by the port, as a whole batch.
            using (var settling = new CancellationTokenSource(TestTimeout.Batch))
            {
                while (meter["tamtam.streams.packets.published"] - publishedBefore + meter["tamtam.streams.packets.refused"] - refusedBefore < Packets)
                {
                    await Task.Delay(20, settling.Token);
                }
            }

            long published = meter["tamtam.streams.packets.published"] - publishedBefore;
            await publisher.PingAsync().Within();
            Assert.True(published < Packets, "the port refused nothing");
            Assert.True(publisher.StreamRefusals > 0, "the publisher was told of no refusal");
            Assert.Equal(ErrorCode.QuotaExceeded, publisher.LastStreamRefusal?.Code);

            // Once the lagging relay is gone, the port takes packets again. A refused packet is never numbered, so the
            // subscriber accounts for every published one: received, or counted lost (a busy machine may make it lag).
            lagging.Release();
            using (var markers = new CancellationTokenSource(TestTimeout.Batch))
            {
                while (!receiving.IsCompleted)
                {
                    await publisher.PublishAsync(Port, StreamPackets.Numbered(-1), cancellationToken: markers.Token);
                    await Task.WhenAny(receiving, Task.Delay(100, markers.Token));
                }
            }

            List<StreamPacket> received = await receiving;
            Assert.Equal(published, received.Count(p => StreamPackets.NumberOf(p) >= 0) + receiver.StreamPacketsLost + receiver.StreamPacketsDropped);
        }
        finally
        {
            lagging.Release();
            First.Grains.DeleteObjectReference<IStreamRelay>(reference);
        }
    }

    [Fact]
    public async Task A_subscriber_resumed_on_the_other_silo_is_subscribed_again_before_it_hears_so()
    {
        string link = Links.Unique("two-silo-resume");
        await using var proxy = new CuttableProxy(First.Uri);
        await using TamTamClient subscriber = await ResumingClients.JoinAsync(proxy.Uri, link, "subscriber");
        await subscriber.BindAsync(Port, PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(subscriber);

        Task<List<StreamPacket>> before = StreamPackets.TakeAsync(subscriber, 10);
        await PublishAsync(publisher, 10, offset: 0);
        Assert.Equal(Enumerable.Range(0, 10), Numbers(await before.Within()));

        // The connection goes; the client comes back through the other silo, whose relay it subscribes with.
        proxy.RetargetTo(Second.Uri);
        proxy.CutAll();
        Assert.True((await back.Within(TestTimeout.Batch)).Resumed);

        Task<List<StreamPacket>> after = StreamPackets.TakeAsync(subscriber, 10);
        await PublishAsync(publisher, 10, offset: 10);
        List<StreamPacket> packets = await after.Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(10, 10), Numbers(packets));
        Assert.Equal(0, subscriber.StreamPacketsLost);
    }

    [Fact]
    public async Task A_relay_whose_call_fails_is_dropped_with_its_packets_counted_and_the_others_keep_receiving()
    {
        const int Packets = 2_000;
        string link = Links.Unique("two-silo-failing");
        using var meter = new StreamMeter();
        var failing = new LaggingRelay(failing: true);
        IStreamRelay reference = First.Grains.CreateObjectReference<IStreamRelay>(failing);
        try
        {
            await using TamTamClient receiver = await SubscribeAsync(First, link, "receiver");
            await RegisterAsSecondSilosAsync(link, reference);
            await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");
            long lostBefore = meter["tamtam.streams.packets.dropped/relay_lost"];
            Task<List<StreamPacket>> receiving = StreamPackets.TakeAsync(receiver, Packets);

            await PublishAsync(publisher, Packets, offset: 0);

            Assert.Equal(Enumerable.Range(0, Packets), Numbers(await receiving.Within(TestTimeout.Batch)));
            Assert.True(await meter.WaitForAsync("tamtam.streams.packets.dropped/relay_lost", lostBefore + 1) > lostBefore);

            // Dropped at its first failed call: no later batch is sent its way.
            Assert.Equal(1, failing.Deliveries);
            await publisher.PingAsync().Within();
            Assert.Equal(0, publisher.StreamRefusals);
        }
        finally
        {
            First.Grains.DeleteObjectReference<IStreamRelay>(reference);
        }
    }

    /// <summary>Registers <paramref name="relay"/> with the port grain as the second silo's relay (that silo has no subscriber of its own here).</summary>
    private Task RegisterAsSecondSilosAsync(string link, IStreamRelay relay) =>
        First.Grains.GetGrain<IStreamPortGrain>(StreamNames.Key(link, Port)).SubscribeAsync(Second.Address, relay).Within();

    private static async Task<TamTamClient> SubscribeAsync(InProcessSilo silo, string link, string node)
    {
        TamTamClient client = await Nodes.JoinAsync(silo.Uri, link, node);
        await client.BindAsync(Port, PortMode.Group).Within();
        return client;
    }

    /// <summary>
    /// What <paramref name="subscriber"/> reads up to the first marker that reaches it; markers are published every
    /// 200 ms once <paramref name="publishing"/> (if any) has ended.
    /// </summary>
    private static async Task<List<StreamPacket>> ReadThroughMarkersAsync(TamTamClient publisher, TamTamClient subscriber, Task? publishing = null)
    {
        Task<List<StreamPacket>> reading = StreamPackets.TakeUntilMarkerAsync(subscriber);
        if (publishing is not null)
        {
            await publishing;
        }

        using var markers = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!reading.IsCompleted)
        {
            await publisher.PublishAsync(Port, StreamPackets.Numbered(-1), cancellationToken: markers.Token);
            await Task.WhenAny(reading, Task.Delay(200, markers.Token));
        }

        return await reading;
    }

    private static Task PublishAsync(TamTamClient publisher, int count, int offset) => PublishAsync(publisher, Port, count, offset);

    private static async Task PublishAsync(TamTamClient publisher, string port, int count, int offset)
    {
        for (int i = 0; i < count; i++)
        {
            await publisher.PublishAsync(port, StreamPackets.Numbered(offset + i));
        }
    }

    private static IEnumerable<int> Numbers(List<StreamPacket> packets) => packets.Select(StreamPackets.NumberOf);
}
