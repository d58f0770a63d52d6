using System.Buffers.Binary;
using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Sessions;

/// <summary>
/// The .NET client resuming its session on a real silo after its TCP connections are reset in mid-stream (a
/// relay between client and silo cuts them): docs/protocol.md section 6, docs/architecture.md "Sessions and resume".
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ResumeTests(SharedSiloFixture silo)
{
    private const string Port = "orders/new";
    private const int Messages = 300;

    [Fact]
    public async Task A_connection_cut_mid_stream_is_resumed_with_nothing_lost_and_nothing_repeated_to_the_application()
    {
        string link = Links.Unique("cut");
        await using var proxy = new CuttableProxy(silo.Uri);
        await using TamTamClient receiver = await ResumingClients.JoinAsync(proxy.Uri, link, "receiver");
        await receiver.BindAsync(Port).Within();
        await using TamTamClient sender = await ResumingClients.JoinAsync(proxy.Uri, link, "sender");
        Task<TamTamReconnectedEventArgs> receiverBack = ResumingClients.NextReconnect(receiver);
        Task<TamTamReconnectedEventArgs> senderBack = ResumingClients.NextReconnect(sender);
        Guid receiverSession = receiver.SessionId;

        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(receiver);

        var receipts = new List<Task<SendReceipt>>();
        var ids = new List<Guid>();
        for (int i = 0; i < Messages; i++)
        {
            if (i == Messages / 3)
            {
                // Mid-stream: sends in flight, deliveries unacknowledged, statuses on their way.
                await application.WaitForCountAsync(Messages / 6, TestTimeout.Batch);
                proxy.CutAll();
            }

            Guid id = Guid.CreateVersion7();
            ids.Add(id);
            receipts.Add(sender.SendAsync(Port, Numbered(i), new SendOptions { MessageId = id }).AsTask());
            if (i % 16 == 15)
            {
                await Task.WhenAll(receipts[^16..]).Within(TestTimeout.Batch);
            }
        }

        SendReceipt[] accepted = await Task.WhenAll(receipts).Within(TestTimeout.Batch);
        await application.WaitForAsync(ids, TestTimeout.Batch);
        foreach (SendReceipt receipt in accepted)
        {
            // Beyond the ack timeout (30 s): a delivery whose fate the cut left open is settled by a retry at the latest.
            MessageStatus status = await receipt.Completion.Within(TimeSpan.FromSeconds(90));
            Assert.Equal(FinalState.Delivered, status.State);
        }

        Assert.True((await receiverBack.Within()).Resumed);
        Assert.True((await senderBack.Within()).Resumed);
        Assert.Equal(receiverSession, receiver.SessionId);
        Assert.Equal(ids.Order(), application.Processed.Select(m => m.MessageId).Order());
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);

        await receiver.DisposeAsync();
        await receiving.Within();
    }

    [Fact]
    public async Task While_a_session_may_resume_its_node_name_is_refused_to_a_new_session()
    {
        string link = Links.Unique("name");
        await using var proxy = new CuttableProxy(silo.Uri);
        await using TamTamClient owner = await ResumingClients.JoinAsync(proxy.Uri, link, "worker");
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(owner);
        proxy.Refusing = true;
        proxy.CutAll();

        await using TamTamClient other = await Nodes.ConnectAsync(silo.Uri);
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => other.JoinAsync(link, "worker").AsTask().Within());
        Assert.Equal(ErrorCode.NameTaken, refused.Code);

        proxy.Refusing = false;
        Assert.True((await back.Within()).Resumed);
        await owner.PingAsync().Within();
        refused = await Assert.ThrowsAsync<TamTamException>(() => other.JoinAsync(link, "worker").AsTask().Within());
        Assert.Equal(ErrorCode.NameTaken, refused.Code);
    }

    [Fact]
    public async Task A_client_that_cannot_reconnect_gives_up_with_TamTamReconnectException()
    {
        string link = Links.Unique("giveup");
        await using var proxy = new CuttableProxy(silo.Uri);
        var policy = new ReconnectOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) };
        await using TamTamClient client = await ResumingClients.JoinAsync(proxy.Uri, link, "worker", policy);
        var ended = new TaskCompletionSource<TamTamDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) =>
        {
            if (!e.WillReconnect)
            {
                ended.TrySetResult(e);
            }
        };

        proxy.Refusing = true;
        proxy.CutAll();

        TamTamDisconnectedEventArgs final = await ended.Task.Within();
        TamTamReconnectException reason = Assert.IsType<TamTamReconnectException>(final.Reason);
        Assert.Equal(3, reason.Attempts);
        await Assert.ThrowsAsync<TamTamReconnectException>(() => client.SendAsync(Port, "late"u8.ToArray()).AsTask().Within());
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ListLinksAsync_reports_a_link_with_its_nodes_and_last_sequence()
    {
        string link = Links.Unique("links");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        SendReceipt sent = await sender.SendAsync(Port, "x"u8.ToArray()).Within();

        LinkList links = await sender.ListLinksAsync().Within();

        LinkInfo info = Assert.Single(links.Links, l => l.Name == link);
        Assert.Equal((2u, sent.Sequence), (info.Nodes, info.Sequence));
        Assert.False(links.Truncated);
    }

    private static byte[] Numbered(int index)
    {
        byte[] payload = Nodes.Payload(64);
        BinaryPrimitives.WriteInt32LittleEndian(payload, index);
        return payload;
    }
}
