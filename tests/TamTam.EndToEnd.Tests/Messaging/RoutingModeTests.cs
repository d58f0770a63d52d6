using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Messaging;

/// <summary>Routing modes over real TCP with the .NET client: who receives a message, and where a delivery goes when its node leaves.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class RoutingModeTests(SharedSiloFixture silo)
{
    [Fact]
    public async Task The_unicast_delivery_of_a_message_that_also_reached_a_group_moves_to_another_binder_when_its_node_leaves()
    {
        string link = Links.Unique("mixed-move");
        await using TamTamClient audit = await Nodes.JoinAsync(silo.Uri, link, "audit");
        await audit.BindAsync("orders", PortMode.Group, subtree: true).Within();
        await using TamTamClient eu1 = await Nodes.ListenAsync(silo.Uri, link, "eu1", "orders/eu");
        await using TamTamClient eu2 = await Nodes.ListenAsync(silo.Uri, link, "eu2", "orders/eu");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        Task<IncomingMessage> atAudit = ReceiveOneAsync(audit, ack: true);
        Task<IncomingMessage> atEu1 = ReceiveOneAsync(eu1, ack: false);
        Task<IncomingMessage> atEu2 = ReceiveOneAsync(eu2, ack: true);
        SendReceipt receipt = await sender.SendAsync("orders/eu", Nodes.Payload(256)).Within();

        // The first binder by name takes the unicast part; it leaves without answering, and its delivery moves.
        IncomingMessage first = await atEu1.Within();
        await eu1.LeaveAsync().Within();
        IncomingMessage moved = await atEu2.Within();
        MessageStatus status = await receipt.Completion.Within();

        Assert.Equal(receipt.MessageId, (await atAudit.Within()).MessageId);
        Assert.Equal((receipt.MessageId, first.Sequence), (moved.MessageId, moved.Sequence));
        Assert.True(moved.IsRedelivery);
        Assert.Equal((FinalState.Delivered, 2u, 2u), (status.State, status.Recipients, status.Confirmed));
    }

    [Fact]
    public async Task Broadcast_reaches_every_other_member_of_the_link_and_not_its_sender()
    {
        string link = Links.Unique("broadcast");
        await using TamTamClient bound = await Nodes.JoinAsync(silo.Uri, link, "bound");
        await bound.BindAsync("alerts", PortMode.Broadcast).Within();
        await using TamTamClient quiet = await Nodes.JoinAsync(silo.Uri, link, "quiet");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        await sender.BindAsync("alerts", PortMode.Broadcast).Within();
        Task<IncomingMessage>[] receiving = [ReceiveOneAsync(bound, ack: true), ReceiveOneAsync(quiet, ack: true)];

        MessageStatus status = await sender.SendAndWaitAsync("alerts", Nodes.Payload(64)).Within();

        Assert.Equal((FinalState.Delivered, 2u, 2u), (status.State, status.Recipients, status.Confirmed));
        Assert.All(await Task.WhenAll(receiving).Within(), m => Assert.Equal(status.MessageId, m.MessageId));

        // Alone in its link, a member has nobody to broadcast to, though it binds the port itself.
        await bound.LeaveAsync().Within();
        await quiet.LeaveAsync().Within();
        TamTamException alone = await Assert.ThrowsAsync<TamTamException>(() => sender.SendAsync("alerts", Nodes.Payload(64)).AsTask()).Within();
        Assert.Equal(ErrorCode.NoRoute, alone.Code);
    }

    private static async Task<IncomingMessage> ReceiveOneAsync(TamTamClient client, bool ack)
    {
        await foreach (IncomingMessage message in client.ReceiveAsync())
        {
            if (ack)
            {
                await message.AckAsync();
            }

            return message;
        }

        throw new InvalidOperationException("the receive sequence ended before a message came");
    }
}
