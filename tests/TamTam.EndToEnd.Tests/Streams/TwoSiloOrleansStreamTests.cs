using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Streams.Grains;
using GrainPacket = TamTam.Interfaces.Streams.StreamPacket;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>
/// The tamtam Orleans stream provider across two silos: a grain subscription made on one silo receives what a node
/// publishes on the other, and an implicit subscriber receives each packet once, however many silos relay the stream.
/// </summary>
public sealed class TwoSiloOrleansStreamTests : TwoSiloTest
{
    private const int Packets = 200;

    [Fact]
    public async Task A_grain_subscribed_on_one_silo_receives_what_a_node_publishes_on_the_other()
    {
        string link = Links.Unique("two-silo-grain");
        await using TamTamClient publisher = await Nodes.JoinAsync(First.Uri, link, "publisher");

        // The first publish places the port grain on the publisher's silo; the subscription is made on the other.
        await publisher.PublishAsync("ticks", StreamPackets.Numbered(-1)).AsTask().Within();
        var witness = new PacketWitness();
        await Second.Grains.GetGrain<IStreamProbeGrain>(link).SubscribeAsync(link, "ticks", "far", Second.Grains.CreateObjectReference<IPacketWitness>(witness)).Within();

        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync("ticks", StreamPackets.Numbered(i));
        }

        // The first packet's publish returns once it is sent, so it may reach the port after the subscription and come first.
        List<GrainPacket> received = [.. (await witness.TakeAsync(Packets).Within(TestTimeout.Batch)).Select(s => s.Packet)];
        if (BitConverter.ToInt32(received[0].Payload.Span) == -1)
        {
            received = [.. received.Skip(1), (await witness.TakeAsync(1).Within())[0].Packet];
        }

        Assert.Equal(Enumerable.Range(0, Packets), received.Select(p => BitConverter.ToInt32(p.Payload.Span)));
        Assert.Equal(Enumerable.Range(2, Packets).Select(s => (ulong)s), received.Select(p => p.Sequence));
    }

    [Fact]
    public async Task An_implicit_subscriber_receives_each_packet_once_while_both_silos_relay_the_stream()
    {
        string link = Links.Unique("implicit-two");
        string port = Links.Unique("port");
        var witness = new PacketWitness();
        await First.Grains.GetGrain<IImplicitProbeGrain>(port).WatchAsync(First.Grains.CreateObjectReference<IPacketWitness>(witness)).Within();

        // Nodes bound on both silos make both relays want the stream.
        await using TamTamClient onFirst = await Nodes.JoinAsync(First.Uri, link, "first");
        await onFirst.BindAsync(port, TamTam.Protocol.PortMode.Group).Within();
        await using TamTamClient onSecond = await Nodes.JoinAsync(Second.Uri, link, "second");
        await onSecond.BindAsync(port, TamTam.Protocol.PortMode.Group).Within();
        Task<List<TamTam.Client.StreamPacket>> farReceiving = StreamPackets.TakeAsync(onSecond, Packets);

        for (int i = 0; i < Packets; i++)
        {
            await onFirst.PublishAsync(port, StreamPackets.Numbered(i));
        }

        await farReceiving.Within(TestTimeout.Batch);
        List<(string Tag, GrainPacket Packet)> received = await witness.TakeAsync(Packets).Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), received.Select(s => s.Packet.Sequence));

        // A second copy would come in the same delivery order; a marker published last shows nothing else is on its way.
        await onFirst.PublishAsync(port, StreamPackets.Numbered(Packets));
        (_, GrainPacket marker) = (await witness.TakeAsync(1).Within())[0];
        Assert.Equal((ulong)Packets + 1, marker.Sequence);
        Assert.Equal(0, witness.Waiting);
    }
}
