using System.Buffers.Binary;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Messaging;

/// <summary>Two services on a real silo over real TCP, with the .NET client: the whole acknowledged path of docs/protocol.md section 7.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class AcknowledgedExchangeTests(SharedSiloFixture silo)
{
    private const int Messages = 100;
    private const string Port = "orders/new";

    [Fact]
    public async Task Every_acknowledged_message_ends_DELIVERED_and_reaches_the_listener_once_in_sequence_order()
    {
        string link = Links.Unique("exchange");
        await using TamTamClient listener = await Nodes.ListenAsync(silo.Uri, link, "listener", Port);
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(listener);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        var sent = new List<Guid>();
        for (int i = 0; i < Messages; i++)
        {
            Guid id = Guid.CreateVersion7();
            MessageStatus status = await sender.SendAndWaitAsync(Port, Numbered(i), new SendOptions { MessageId = id }).Within();
            Assert.Equal(FinalState.Delivered, status.State);
            Assert.Equal(id, status.MessageId);
            Assert.Equal((1u, 1u), (status.Recipients, status.Confirmed));
            sent.Add(id);
        }

        IReadOnlyList<IncomingMessage> received = application.Processed;
        Assert.Equal(sent, received.Select(m => m.MessageId));
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);
        for (int i = 0; i < received.Count; i++)
        {
            IncomingMessage message = received[i];
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(message.Payload.Span));
            Assert.Equal((link, "sender", Port), (message.SourceLink, message.SourceNode, message.Port));
            Assert.Equal((ushort)1, message.Attempt);
            Assert.False(message.IsRedelivery);
            if (i > 0)
            {
                Assert.True(message.Sequence > received[i - 1].Sequence, $"sequence {message.Sequence} after {received[i - 1].Sequence}");
            }
        }

        await listener.DisposeAsync();
        await receiving.Within();
    }

    private static byte[] Numbered(int index)
    {
        byte[] payload = Nodes.Payload(256);
        BinaryPrimitives.WriteInt32LittleEndian(payload, index);
        return payload;
    }
}
