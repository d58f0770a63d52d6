using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Streams.Grains;
using TamTam.Protocol;
using GrainPacket = TamTam.Interfaces.Streams.StreamPacket;
using WirePacket = TamTam.Client.StreamPacket;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>
/// The tamtam Orleans stream provider against the real silo and wire nodes over TCP: grains publish and subscribe to
/// a link's port with the standard Orleans streams API and see what wire nodes see, both ways.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class OrleansStreamInteropTests(SharedSiloFixture silo)
{
    private const int Packets = 200;

    [Fact]
    public async Task Packets_a_wire_node_publishes_reach_a_subscribed_grain_numbered_and_with_their_ttl()
    {
        string link = Links.Unique("grain-sub");
        var witness = new PacketWitness();
        IStreamProbeGrain grain = silo.Grains.GetGrain<IStreamProbeGrain>(link);
        await grain.SubscribeAsync(link, "ticks", "grain", Witness(witness)).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        Guid[] ids = [.. Enumerable.Range(0, Packets).Select(_ => Guid.NewGuid())];
        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync("ticks", StreamPackets.Numbered(i), new StreamOptions { Ttl = 5, PacketId = ids[i] });
        }

        List<GrainPacket> received = [.. (await witness.TakeAsync(Packets).Within(TestTimeout.Batch)).Select(s => s.Packet)];
        Assert.Equal(Enumerable.Range(0, Packets), received.Select(p => BitConverter.ToInt32(p.Payload.Span)));
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), received.Select(p => p.Sequence));
        Assert.Equal(ids, received.Select(p => p.PacketId));
        Assert.All(received, p => Assert.Equal((link, "ticks", false, (byte)5), (p.Link, p.Port, p.Subtree, p.Ttl)));
    }

    [Fact]
    public async Task Packets_a_grain_publishes_reach_a_bound_wire_node_numbered_and_with_their_ttl()
    {
        string link = Links.Unique("grain-pub");
        await using TamTamClient subscriber = await Nodes.JoinAsync(silo.Uri, link, "subscriber");
        await subscriber.BindAsync("ticks", PortMode.Group).Within();
        Task<List<WirePacket>> receiving = StreamPackets.TakeAsync(subscriber, Packets);

        await silo.Grains.GetGrain<IStreamProbeGrain>(link)
            .PublishAsync(link, "ticks", [.. Enumerable.Range(0, Packets).Select(StreamPackets.Numbered)], ttl: 7).Within();

        List<WirePacket> received = await receiving.Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(0, Packets), received.Select(StreamPackets.NumberOf));
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), received.Select(p => p.Sequence));
        Assert.All(received, p => Assert.Equal((link, "ticks", (byte)7, 0L), (p.Link, p.Port, p.Ttl, p.LostBefore)));
        Assert.Equal(Packets, received.Select(p => p.PacketId).Distinct().Count());
    }

    [Fact]
    public async Task Wire_and_grain_subscribers_of_one_port_see_the_same_packets_under_the_same_sequences()
    {
        string link = Links.Unique("mixed");
        var witness = new PacketWitness();
        await silo.Grains.GetGrain<IStreamProbeGrain>(link + "/subscriber").SubscribeAsync(link, "ticks", "grain", Witness(witness)).Within();
        await using TamTamClient node = await Nodes.JoinAsync(silo.Uri, link, "subscriber");
        await node.BindAsync("ticks", PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        Task<List<WirePacket>> nodeReceiving = StreamPackets.TakeAsync(node, 2 * Packets);

        // Half from a wire node, half from a grain: one sequencer numbers both.
        Task fromGrain = silo.Grains.GetGrain<IStreamProbeGrain>(link + "/publisher")
            .PublishAsync(link, "ticks", [.. Enumerable.Range(Packets, Packets).Select(StreamPackets.Numbered)], ttl: 3);
        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync("ticks", StreamPackets.Numbered(i), new StreamOptions { Ttl = 3 });
        }

        await fromGrain.Within();
        List<WirePacket> byNode = await nodeReceiving.Within(TestTimeout.Batch);
        List<GrainPacket> byGrain = [.. (await witness.TakeAsync(2 * Packets).Within(TestTimeout.Batch)).Select(s => s.Packet)];
        Assert.Equal(byNode.Select(p => (p.Sequence, p.PacketId, p.Ttl)), byGrain.Select(p => (p.Sequence, p.PacketId, p.Ttl)));
        Assert.Equal(Enumerable.Range(1, 2 * Packets).Select(s => (ulong)s), byGrain.Select(p => p.Sequence));
        Assert.Equal(Enumerable.Range(0, 2 * Packets), byGrain.Select(p => BitConverter.ToInt32(p.Payload.Span)).Order());
    }

    [Fact]
    public async Task A_grain_implicitly_subscribed_to_a_link_receives_its_port_s_packets_without_subscribing()
    {
        string link = Links.Unique("implicit");
        string port = Links.Unique("port");
        var witness = new PacketWitness();
        await silo.Grains.GetGrain<IImplicitProbeGrain>(port).WatchAsync(Witness(witness)).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync(port, StreamPackets.Numbered(i), new StreamOptions { Ttl = 9 });
        }

        List<(string Tag, GrainPacket Packet)> received = await witness.TakeAsync(Packets).Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(0, Packets), received.Select(s => BitConverter.ToInt32(s.Packet.Payload.Span)));
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), received.Select(s => s.Packet.Sequence));
        Assert.All(received, s => Assert.Equal((link, port, (byte)9), (s.Packet.Link, s.Packet.Port, s.Packet.Ttl)));
        Assert.All(received, s => Assert.Equal($"implicit {StreamId.Create(link, port)}", s.Tag));
    }

    [Fact]
    public async Task An_unsubscribed_observer_receives_nothing_more_while_the_grain_s_other_subscription_does()
    {
        string link = Links.Unique("unsubscribe");
        var witness = new PacketWitness();
        IStreamProbeGrain grain = silo.Grains.GetGrain<IStreamProbeGrain>(link);
        Guid leaving = await grain.SubscribeAsync(link, "ticks", "leaving", Witness(witness)).Within();
        await grain.SubscribeAsync(link, "ticks", "staying", Witness(witness)).Within();
        Assert.Equal(2, await grain.CountSubscriptionsAsync(link, "ticks").Within());
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        await publisher.PublishAsync("ticks", StreamPackets.Numbered(0));
        Assert.Equal(["leaving", "staying"], (await witness.TakeAsync(2).Within()).Select(s => s.Tag).Order());

        await grain.UnsubscribeAsync(link, "ticks", leaving).Within();
        Assert.Equal(1, await grain.CountSubscriptionsAsync(link, "ticks").Within());
        await publisher.PublishAsync("ticks", StreamPackets.Numbered(1));

        // One delivery call hands a packet to all of a grain's observers in turn: once "staying" has it, "leaving" would have.
        (string tag, GrainPacket packet) = (await witness.TakeAsync(1).Within())[0];
        Assert.Equal(("staying", 2UL), (tag, packet.Sequence));
        Assert.Equal(0, witness.Waiting);
    }

    private IPacketWitness Witness(PacketWitness witness) => silo.Grains.CreateObjectReference<IPacketWitness>(witness);
}
