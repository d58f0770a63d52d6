using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>
/// SUBTREE in streaming mode (docs/protocol.md 5.9, 5.16) through the real silo, gateway and client over TCP: a
/// subtree binding receives the packets of every port below its root, a STREAM with SUBTREE reaches the bindings of
/// every port in its port's subtree, and each stream keeps its own consecutive sequence.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class SubtreeStreamingTests(SharedSiloFixture silo)
{
    private const int PerPort = 300;

    [Fact]
    public async Task A_subtree_binding_receives_every_port_below_its_root_each_in_its_own_sequence_and_nothing_beside()
    {
        string link = Links.Unique("stream-subtree");
        await using TamTamClient subtree = await Nodes.JoinAsync(silo.Uri, link, "subtree");
        await subtree.BindAsync("orders", PortMode.Group, subtree: true).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");
        string[] ports = ["orders", "orders/eu", "orders/eu/new", "orders/us"];

        Task<List<StreamPacket>> receiving = StreamPackets.TakeUntilMarkerAsync(subtree);
        int number = 0;
        for (int i = 0; i < PerPort; i++)
        {
            foreach (string port in ports)
            {
                await publisher.PublishAsync(port, StreamPackets.Numbered(number++));
            }

            // Beside the subtree: a sibling whose name only starts the same, and the root's parent level.
            await publisher.PublishAsync("ordersx", StreamPackets.Numbered(-2));
            await publisher.PublishAsync("other/orders", StreamPackets.Numbered(-2));
        }

        await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(-1));
        List<StreamPacket> received = [.. (await receiving.Within(TestTimeout.Batch)).Where(p => StreamPackets.NumberOf(p) >= 0)];

        Assert.Equal(Enumerable.Range(0, PerPort * ports.Length), received.Select(StreamPackets.NumberOf));
        foreach (string port in ports)
        {
            List<StreamPacket> ofPort = [.. received.Where(p => p.Port == port)];
            Assert.Equal(PerPort, ofPort.Count);
            Assert.All(ofPort, p => Assert.False(p.Subtree));
            Assert.Equal(Enumerable.Range(0, PerPort).Select(i => ofPort[0].Sequence + (ulong)i), ofPort.Select(p => p.Sequence));
        }

        Assert.Equal(0, subtree.StreamPacketsLost);
    }

    [Fact]
    public async Task A_stream_with_subtree_reaches_the_bindings_below_its_port_once_each_and_is_numbered_apart_from_the_port()
    {
        string link = Links.Unique("stream-to-subtree");
        await using TamTamClient below = await Nodes.JoinAsync(silo.Uri, link, "below");
        await below.BindAsync("orders/eu/new", PortMode.Group).Within();
        await using TamTamClient root = await Nodes.JoinAsync(silo.Uri, link, "root");
        await root.BindAsync("orders/eu", PortMode.Group).Within();

        // Bound twice over below the port (a port and its own subtree): still one copy of each packet.
        await using TamTamClient twice = await Nodes.JoinAsync(silo.Uri, link, "twice");
        await twice.BindAsync("orders/eu/new", PortMode.Group, subtree: true).Within();
        await twice.BindAsync("orders/eu/new", PortMode.Group).Within();
        await using TamTamClient beside = await Nodes.JoinAsync(silo.Uri, link, "beside");
        await beside.BindAsync("orders/us", PortMode.Group).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        Task<List<StreamPacket>> belowReceiving = StreamPackets.TakeUntilMarkerAsync(below);
        Task<List<StreamPacket>> rootReceiving = StreamPackets.TakeUntilMarkerAsync(root);
        Task<List<StreamPacket>> twiceReceiving = StreamPackets.TakeUntilMarkerAsync(twice);
        var toSubtree = new StreamOptions { Subtree = true };
        for (int i = 0; i < PerPort; i++)
        {
            // Interleaved with packets to the port alone, which the node bound below must not see as losses.
            await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(i), toSubtree);
            await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(PerPort + i));
        }

        await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(-1), toSubtree);
        List<StreamPacket> belowPackets = await belowReceiving.Within(TestTimeout.Batch);
        List<StreamPacket> rootPackets = await rootReceiving.Within(TestTimeout.Batch);
        List<StreamPacket> twicePackets = await twiceReceiving.Within(TestTimeout.Batch);

        // Below the port and twice over: the subtree packets only, once each, in one consecutive sequence.
        foreach (List<StreamPacket> packets in (List<StreamPacket>[])[belowPackets, twicePackets])
        {
            List<StreamPacket> counted = [.. packets.Where(p => StreamPackets.NumberOf(p) >= 0)];
            Assert.Equal(Enumerable.Range(0, PerPort), counted.Select(StreamPackets.NumberOf));
            Assert.All(counted, p => Assert.True(p.Subtree && p.Port == "orders/eu"));
            Assert.Equal(Enumerable.Range(0, PerPort).Select(i => counted[0].Sequence + (ulong)i), counted.Select(p => p.Sequence));
            Assert.All(packets, p => Assert.Equal(0, p.LostBefore));
        }

        // The port itself: both streams, each consecutive.
        List<StreamPacket> rootCounted = [.. rootPackets.Where(p => StreamPackets.NumberOf(p) >= 0)];
        Assert.Equal(2 * PerPort, rootCounted.Count);
        foreach (bool subtree in (bool[])[true, false])
        {
            List<StreamPacket> stream = [.. rootCounted.Where(p => p.Subtree == subtree)];
            Assert.Equal(PerPort, stream.Count);
            Assert.Equal(Enumerable.Range(0, PerPort).Select(i => stream[0].Sequence + (ulong)i), stream.Select(p => p.Sequence));
        }

        Assert.Equal(0, below.StreamPacketsLost + root.StreamPacketsLost + twice.StreamPacketsLost);

        // The node beside the subtree got nothing: its first packet is one published to its own port afterwards.
        await publisher.PublishAsync("orders/us", StreamPackets.Numbered(-3));
        StreamPacket only = (await StreamPackets.TakeAsync(beside, 1).Within())[0];
        Assert.Equal(-3, StreamPackets.NumberOf(only));
    }

    [Fact]
    public async Task Unbinding_a_subtree_ends_its_packets_while_the_exact_binding_of_the_same_port_stays()
    {
        string link = Links.Unique("stream-subtree-unbind");
        await using TamTamClient node = await Nodes.JoinAsync(silo.Uri, link, "node");
        await node.BindAsync("orders", PortMode.Group).Within();
        await node.BindAsync("orders", PortMode.Group, subtree: true).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "publisher");

        Task<List<StreamPacket>> first = StreamPackets.TakeAsync(node, 2);
        await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(0));
        await publisher.PublishAsync("orders", StreamPackets.Numbered(1));
        Assert.Equal([0, 1], (await first.Within()).Select(StreamPackets.NumberOf));

        await node.UnbindAsync("orders", subtree: true).Within();
        Task<List<StreamPacket>> second = StreamPackets.TakeAsync(node, 1);
        await publisher.PublishAsync("orders/eu", StreamPackets.Numbered(2));
        await publisher.PublishAsync("orders", StreamPackets.Numbered(3));
        Assert.Equal([3], (await second.Within()).Select(StreamPackets.NumberOf));
    }
}
