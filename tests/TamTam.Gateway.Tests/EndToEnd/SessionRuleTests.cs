using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>
/// Rules of docs/protocol.md that the frame tables leave open (section 6.5, and beside BIND, ACK, STATUS, STREAM and
/// NODES), as a client written from the document alone meets them: on the wire, against the real silo.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class SessionRuleTests(SiloFixture silo)
{
    [Fact]
    public async Task An_ack_whose_sequence_is_not_the_delivers_gets_304_and_the_delivery_stays_pending_until_acked_right()
    {
        string link = NewLink();
        await using WireClient receiver = await JoinAsync(link, "receiver");
        await ExpectOkAsync(receiver, new BindFrame(PortMode.Unicast, "in", Subtree: false), 3);
        await using WireClient sender = await JoinAsync(link, "sender");
        Guid id = Guid.CreateVersion7();
        await sender.SendAsync(new SendFrame(id, default, "in", 0, false, null, null, new ReadOnlySequence<byte>([1])), correlation: 10);
        ReceivedFrame accepted = await sender.ReceiveAsync();
        Assert.Equal((FrameType.Accepted, 10u), (accepted.Type, accepted.Correlation));
        DeliverFrame deliver = await receiver.ReceiveAsync<DeliverFrame>();

        await receiver.SendAsync(new AckFrame(id, deliver.Sequence + 1), correlation: 50);
        await receiver.ExpectErrorAsync(ErrorCode.UnknownDelivery, correlation: 50, fatal: false);
        await receiver.SendAsync(new AckFrame(id, deliver.Sequence), correlation: 51);

        // STATUS is not an answer to a request: correlation 0, matched by its message_id.
        ReceivedFrame status = await sender.ReceiveAsync();
        Assert.Equal((FrameType.Status, 0u), (status.Type, status.Correlation));
        Assert.Equal((id, FinalState.Delivered), (status.Decode<StatusFrame>().MessageId, status.Decode<StatusFrame>().State));
    }

    [Fact]
    public async Task Nodes_of_a_link_nobody_joined_is_an_empty_report_and_needs_no_join()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);

        await client.SendAsync(new NodesFrame(NewLink()), correlation: 5);
        ReceivedFrame report = await client.ReceiveAsync();

        Assert.Equal((FrameType.NodesReport, 5u), (report.Type, report.Correlation));
        Assert.Empty(report.Decode<NodesReportFrame>().Nodes);
    }

    [Fact]
    public async Task A_repeated_bind_is_ok_and_a_subtree_binding_is_a_binding_of_its_own()
    {
        await using WireClient client = await JoinAsync(NewLink(), "n");

        await ExpectOkAsync(client, new BindFrame(PortMode.Group, "orders", Subtree: false), 10);
        await ExpectOkAsync(client, new BindFrame(PortMode.Group, "orders", Subtree: false), 11);
        await ExpectOkAsync(client, new BindFrame(PortMode.Group, "orders", Subtree: true), 12);
        await client.SendAsync(new BindFrame(PortMode.Unicast, "orders", Subtree: false), correlation: 13);
        await client.ExpectErrorAsync(ErrorCode.PortModeConflict, correlation: 13, fatal: false);

        // One UNBIND removes the binding its SUBTREE flag names, however many BINDs made it.
        await ExpectOkAsync(client, new UnbindFrame("orders", Subtree: false), 14);
        await client.SendAsync(new UnbindFrame("orders", Subtree: false), correlation: 15);
        await client.ExpectErrorAsync(ErrorCode.NotBound, correlation: 15, fatal: false);
        await ExpectOkAsync(client, new UnbindFrame("orders", Subtree: true), 16);
    }

    [Fact]
    public async Task A_publisher_bound_to_its_port_receives_its_own_packets_named_by_their_destination_link()
    {
        string link = NewLink();
        await using WireClient publisher = await JoinAsync(link, "publisher");
        await ExpectOkAsync(publisher, new BindFrame(PortMode.Group, "ticks", Subtree: false), 3);
        Guid id = Guid.CreateVersion7();

        await publisher.SendAsync(new StreamFrame(id, Utf8Text.Empty, "ticks", 1, 0, WantAck: false, Subtree: false,
            new ReadOnlySequence<byte>("t"u8.ToArray())), correlation: 40);
        StreamFrame own = await publisher.ReceiveAsync<StreamFrame>();

        Assert.Equal((id, link, "ticks", 1UL), (own.PacketId, own.Link.ToString(), own.Port.ToString(), own.StreamSequence));
    }

    private async Task<WireClient> JoinAsync(string link, string node)
    {
        WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await ExpectOkAsync(client, new JoinFrame(link, node), 2);
        return client;
    }

    private static async Task ExpectOkAsync<T>(WireClient client, T request, uint correlation)
        where T : struct, IFrame<T>
    {
        await client.SendAsync(request, correlation);
        ReceivedFrame reply = await client.ReceiveAsync();
        Assert.Equal((FrameType.Ok, correlation), (reply.Type, reply.Correlation));
    }

    private static string NewLink() => $"rule-{Guid.NewGuid():N}"[..24];
}
