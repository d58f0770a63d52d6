using System.Buffers;
using System.Security.Cryptography;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Sessions;

/// <summary>
/// The delivery path as a client written from docs/protocol.md meets it, over real sockets: a node returning to a
/// backlog, a message larger than the receiver's max_body (section 7), a connection whose session was resumed
/// elsewhere (sections 6.1 and 8).
/// </summary>
[Collection(ResumeSiloCollection.Name)]
public sealed class DeliveryPathTests(ResumeSiloFixture silo)
{
    private const string Port = "work";

    [Fact]
    public async Task A_peer_that_joins_and_binds_before_reading_deliveries_drains_its_backlog_once_each()
    {
        const int backlog = 300;
        string link = Unique("backlog");
        await using (WireClient stopped = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint))
        {
            await RequestAsync(stopped, new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), 2, []);
            await RequestAsync(stopped, new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), 3, []);
        }

        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await RequestAsync(sender, new JoinFrame(Utf8Text.From(link), Utf8Text.From("sender")), 2, []);
        var sent = new HashSet<Guid>();
        for (uint i = 0; i < backlog; i++)
        {
            Guid id = Guid.CreateVersion7();
            sent.Add(id);
            await sender.SendAsync(Send(id, new byte[100]), correlation: 100 + i);
        }

        for (int i = 0; i < backlog; i++)
        {
            await sender.ReceiveAsync<AcceptedFrame>();
        }

        // The returning node JOINs (205 while the stopped session's name is reserved) and BINDs, reading only what
        // answers it: the deliveries pushed meanwhile are kept aside, as a simple client does.
        await using WireClient worker = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        var delivered = new List<DeliverFrame>();
        DateTime giveUp = DateTime.UtcNow + ResumeSiloFixture.SessionTimeout + TimeSpan.FromSeconds(10);
        for (uint correlation = 10; ; correlation++)
        {
            ReceivedFrame answer = await AnswerAsync(worker, new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), correlation, delivered);
            if (answer.Type == FrameType.Ok)
            {
                break;
            }

            Assert.Equal(ErrorCode.NameTaken, answer.Decode<ErrorFrame>().Code);
            Assert.True(DateTime.UtcNow < giveUp, "the stopped node's name was not freed");
            await Task.Delay(100);
        }

        await RequestAsync(worker, new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), 5, delivered);

        var seen = new HashSet<Guid>();
        for (int next = 0; seen.Count < backlog; next++)
        {
            DeliverFrame deliver = next < delivered.Count ? delivered[next] : await worker.ReceiveAsync<DeliverFrame>();
            Assert.Contains(deliver.MessageId, sent);
            Assert.True(seen.Add(deliver.MessageId), $"{deliver.MessageId} came twice");
            await worker.SendAsync(new AckFrame(deliver.MessageId, deliver.Sequence), correlation: 1_000 + (uint)next);
        }

        for (int i = 0; i < backlog; i++)
        {
            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal(FinalState.Delivered, status.State);
        }
    }

    [Fact]
    public async Task A_message_larger_than_the_receivers_max_body_arrives_as_parts_and_later_messages_follow()
    {
        string link = Unique("small-body");
        await using WireClient receiver = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame terms = await receiver.HelloAsync(maxBody: 1024);
        Assert.Equal(1024u - 28, terms.PartSize);
        await RequestAsync(receiver, new JoinFrame(Utf8Text.From(link), Utf8Text.From("small")), 2, []);
        await RequestAsync(receiver, new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), 3, []);

        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await RequestAsync(sender, new JoinFrame(Utf8Text.From(link), Utf8Text.From("sender")), 2, []);
        byte[] large = RandomNumberGenerator.GetBytes(3_000);
        Guid id = Guid.CreateVersion7();
        await sender.SendAsync(Send(id, large), correlation: 4);
        Assert.Equal(id, (await sender.ReceiveAsync<AcceptedFrame>()).MessageId);

        DeliverFrame deliver = await receiver.ReceiveAsync<DeliverFrame>();
        Assert.Equal(id, deliver.MessageId);
        TransferInfo parted = Assert.NotNull(deliver.Transfer);
        Assert.Equal((3_000ul, terms.PartSize, 4u), (parted.TotalSize, parted.PartSize, parted.PartCount));
        Assert.Equal(SHA256.HashData(large), parted.Sha256.ToArray());
        Assert.True(deliver.Payload.IsEmpty);

        byte[] assembled = new byte[large.Length];
        for (int i = 0; i < parted.PartCount; i++)
        {
            PartFrame part = await receiver.ReceiveAsync<PartFrame>();
            byte[] bytes = part.Payload.ToArray();
            Assert.Equal(Crc32C.Compute(bytes), part.Crc32C);
            bytes.CopyTo(assembled, (int)(part.Index * parted.PartSize));
            await receiver.SendAsync(new PartAckFrame(id, part.Index, ErrorCode.None));
        }

        Assert.Equal(large, assembled);
        await receiver.SendAsync(new AckFrame(id, deliver.Sequence), correlation: 5);
        Assert.Equal((id, FinalState.Delivered), Settled(await sender.ReceiveAsync<StatusFrame>()));

        // The node stays online on its connection, and the messages behind the large one flow.
        Guid next = Guid.CreateVersion7();
        await sender.SendAsync(Send(next, "after"u8.ToArray()), correlation: 6);
        await sender.ReceiveAsync<AcceptedFrame>();
        DeliverFrame after = await receiver.ReceiveAsync<DeliverFrame>();
        Assert.Equal((next, "after"), (after.MessageId, System.Text.Encoding.UTF8.GetString(after.Payload.ToArray())));
        await receiver.SendAsync(new AckFrame(next, after.Sequence), correlation: 7);
        Assert.Equal((next, FinalState.Delivered), Settled(await sender.ReceiveAsync<StatusFrame>()));

        await sender.SendAsync(new NodesFrame(Utf8Text.Empty), correlation: 8);
        NodesReportFrame nodes = await sender.ReceiveAsync<NodesReportFrame>();
        NodeEntry small = Assert.Single(nodes.Nodes, n => n.Node.ToString() == "small");
        Assert.True(small.Online);
        Assert.Equal(0u, small.Pending);
        await receiver.AssertAliveAsync();
    }

    [Fact]
    public async Task A_connection_whose_session_is_resumed_elsewhere_ends_with_213_and_nothing_it_sends_is_accepted()
    {
        string link = Unique("taken-over");
        await using WireClient listener = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await RequestAsync(listener, new JoinFrame(Utf8Text.From(link), Utf8Text.From("listener")), 2, []);
        await RequestAsync(listener, new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), 3, []);

        await using WireClient first = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await first.HelloAsync();
        await RequestAsync(first, new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), 2, []);

        // The same session resumed on a second connection while the first is still open.
        await using WireClient second = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await second.SendAsync(WireClient.Hello(resumeToken: welcome.ResumeToken.ToArray()), correlation: 1);
        Assert.True((await second.ReceiveAsync<WelcomeFrame>()).Resumed);

        // The first connection sends as the node after the resume: it is told 213 and closed, and nothing is accepted.
        Guid stale = Guid.CreateVersion7();
        try
        {
            await first.SendAsync(Send(stale, "stale"u8.ToArray()), correlation: 4);
        }
        catch (IOException)
        {
            // Closed already.
        }

        try
        {
            await first.ExpectErrorAsync(ErrorCode.SessionTakenOver, correlation: 0, fatal: true);
            await first.ExpectClosedAsync();
        }
        catch (IOException)
        {
            // Reset while closing: the ERROR before it was sent, but a reset may discard it.
        }

        // The second connection acts for the node: its message is the first the listener gets.
        Guid fresh = Guid.CreateVersion7();
        await second.SendAsync(Send(fresh, "fresh"u8.ToArray()), correlation: 5);
        Assert.Equal(fresh, (await second.ReceiveAsync<AcceptedFrame>()).MessageId);
        DeliverFrame delivered = await listener.ReceiveAsync<DeliverFrame>();
        Assert.Equal((fresh, "worker"), (delivered.MessageId, delivered.SrcNode.ToString()));
        await second.AssertAliveAsync();
    }

    private static SendFrame Send(Guid id, byte[] payload) =>
        new(id, Utf8Text.Empty, Utf8Text.From(Port), 0, false, null, null, new ReadOnlySequence<byte>(payload));

    private static (Guid, FinalState) Settled(StatusFrame status) => (status.MessageId, status.State);

    /// <summary>Sends a request and expects OK, keeping the DELIVERs read meanwhile in <paramref name="delivered"/>.</summary>
    private static async Task RequestAsync<T>(WireClient client, T request, uint correlation, List<DeliverFrame> delivered)
        where T : struct, IFrame<T>
    {
        ReceivedFrame answer = await AnswerAsync(client, request, correlation, delivered);
        Assert.True(answer.Type == FrameType.Ok, $"expected OK for {T.Type.WireName()}, got {answer}");
    }

    /// <summary>Sends a request and returns its answer, keeping the DELIVERs read before it in <paramref name="delivered"/>.</summary>
    private static async Task<ReceivedFrame> AnswerAsync<T>(WireClient client, T request, uint correlation, List<DeliverFrame> delivered)
        where T : struct, IFrame<T>
    {
        await client.SendAsync(request, correlation);
        while (true)
        {
            ReceivedFrame frame = await client.ReceiveAsync();
            if (frame.Type == FrameType.Deliver)
            {
                delivered.Add(frame.Decode<DeliverFrame>());
            }
            else if (frame.Correlation == correlation && frame.Type is FrameType.Ok or FrameType.Error)
            {
                return frame;
            }
        }
    }

    private static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}";
}
