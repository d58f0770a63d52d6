using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>What a graceful stop and a start on the same data directory keep: members, bindings, inboxes, held statuses.</summary>
public sealed class GracefulRestartTests
{
    private const int Messages = 50;
    private const string Port = "jobs";

    [Fact]
    public async Task Messages_sent_while_the_listener_is_offline_are_delivered_once_after_a_restart_and_their_statuses_reach_the_sender()
    {
        using var data = new DataDirectory();
        string link = Links.Unique("restart");
        var sent = new List<Guid>();

        await using (InProcessSilo first = await InProcessSilo.StartAsync(data.Path))
        {
            // Joined and bound, then gone without LEAVE: the node stays a member and its inbox waits for it.
            await (await Nodes.ListenAsync(first.Uri, link, "listener", Port)).DisposeAsync();

            await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
            for (int i = 0; i < Messages; i++)
            {
                SendReceipt receipt = await sender.SendAsync(Port, Nodes.Payload(256)).Within();
                Assert.False(receipt.Duplicate);
                sent.Add(receipt.MessageId);
            }

            await first.StopAsync();
        }

        await using InProcessSilo second = await InProcessSilo.StartAsync(data.Path);

        // The same node name, no BIND: the binding is durable too.
        await using TamTamClient listener = await Nodes.JoinAsync(second.Uri, link, "listener");
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(listener);
        await application.WaitForAsync(sent, TestTimeout.Batch);

        await using TamTamClient returningSender = await Nodes.JoinAsync(second.Uri, link, "sender");
        MessageStatus[] statuses = await Task.WhenAll(sent.Select(id => returningSender.WaitForStatusAsync(id).AsTask())).Within(TestTimeout.Batch);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));

        await listener.DisposeAsync();
        await receiving.Within();
        Assert.Equal(sent, application.Processed.Select(m => m.MessageId));
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);
    }
}
