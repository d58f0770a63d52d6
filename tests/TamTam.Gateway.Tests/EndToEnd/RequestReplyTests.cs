using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>
/// Requests and replies as a client written from docs/protocol.md section 5.10.1 meets them, over real sockets: the
/// REPLY fields travel from SEND to DELIVER, and the reserved reply ports belong to their nodes.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class RequestReplyTests(SiloFixture silo)
{
    [Fact]
    public async Task A_request_and_its_reply_carry_their_reply_fields_to_the_receiver_with_the_requesters_link_filled_in()
    {
        string link = $"rr-{Guid.NewGuid():N}";
        Guid correlation = Guid.NewGuid();
        await using WireClient requester = await JoinedAsync(link, "web-1");
        await using WireClient replier = await JoinedAsync(link, "echo-1");
        await requester.SendAsync(new BindFrame(PortMode.Unicast, ReplyPorts.For("web-1"), Subtree: false), 3);
        await requester.ReceiveAsync<OkFrame>();
        await replier.SendAsync(new BindFrame(PortMode.Unicast, "echo", Subtree: false), 3);
        await replier.ReceiveAsync<OkFrame>();

        var request = new SendFrame(Guid.NewGuid(), Utf8Text.Empty, "echo", 5_000, false, null, null, new ReadOnlySequence<byte>("ping"u8.ToArray()))
        {
            Reply = new ReplyInfo(correlation, Utf8Text.Empty, ReplyPorts.For("web-1")),
        };
        await requester.SendAsync(request, 10);
        await requester.ReceiveAsync<AcceptedFrame>();

        DeliverFrame delivered = await replier.ReceiveAsync<DeliverFrame>();
        Assert.Equal(new ReplyInfo(correlation, link, ReplyPorts.For("web-1")), delivered.Reply);
        await replier.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 11);

        ReplyInfo to = delivered.Reply!.Value;
        var reply = new SendFrame(Guid.NewGuid(), to.Link, to.Port, 5_000, false, null, null, new ReadOnlySequence<byte>("pong"u8.ToArray()))
        {
            Reply = ReplyInfo.To(to.CorrelationId),
        };
        await replier.SendAsync(reply, 12);
        await replier.ReceiveAsync<AcceptedFrame>();

        (DeliverFrame answer, StatusFrame status) = await AnswerAndStatusAsync(requester);
        Assert.Equal(ReplyInfo.To(correlation), answer.Reply);
        Assert.Equal("echo-1", answer.SrcNode.ToString());
        Assert.Equal("pong"u8.ToArray(), answer.Payload.ToArray());
        Assert.Equal((request.MessageId, FinalState.Delivered), (status.MessageId, status.State));
    }

    [Theory]
    [InlineData("_reply/web-2", false)]
    [InlineData("_reply/web-1", true)]
    [InlineData("_reply", true)]
    [InlineData("_reply/web-1/x", false)]
    public async Task Binding_a_reply_port_other_than_the_nodes_own_is_forbidden(string port, bool subtree)
    {
        await using WireClient node = await JoinedAsync($"rr-{Guid.NewGuid():N}", "web-1");

        await node.SendAsync(new BindFrame(PortMode.Unicast, port, subtree), 5);

        await node.ExpectErrorAsync(ErrorCode.Forbidden, 5, fatal: false);
        await node.SendAsync(new BindFrame(PortMode.Unicast, "_replies", Subtree: true), 6);
        Assert.Equal(6u, (await node.ReceiveAsync()).Correlation);
    }

    private async Task<WireClient> JoinedAsync(string link, string node)
    {
        WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new JoinFrame(link, node), 2);
        await client.ReceiveAsync<OkFrame>();
        return client;
    }

    // The reply's DELIVER and the request's STATUS race each other to the requester.
    private static async Task<(DeliverFrame, StatusFrame)> AnswerAndStatusAsync(WireClient requester)
    {
        DeliverFrame? answer = null;
        StatusFrame? status = null;
        while (answer is null || status is null)
        {
            ReceivedFrame frame = await requester.ReceiveAsync();
            if (frame.Type == FrameType.Deliver)
            {
                answer = frame.Decode<DeliverFrame>();
            }
            else if (frame.Type == FrameType.Status)
            {
                status = frame.Decode<StatusFrame>();
            }
        }

        return (answer.Value, status.Value);
    }
}
