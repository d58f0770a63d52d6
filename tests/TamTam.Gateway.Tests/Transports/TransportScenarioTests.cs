using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>
/// One session implementation behind every transport: the same acknowledged exchange with the .NET client
/// over TCP, a Unix domain socket, WebSocket and the in-memory connector.
/// </summary>
[Collection(TransportSiloCollection.Name)]
public sealed class TransportScenarioTests(TransportSiloFixture silo)
{
    private const string Port = "orders/new";

    public static TheoryData<string> Transports => new() { "tcp", "unix", "ws", "memory" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Handshake_ping_join_bind_send_deliver_ack_and_status_delivered(string transport)
    {
        string link = $"{transport}-{Guid.NewGuid():N}";
        TamTamClientOptions options = silo.ClientOptions(transport);

        // Handshake, PING, JOIN, BIND.
        await using TamTamClient listener = await TamTamClient.ConnectAsync(options).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        Assert.Equal(options.Uri, listener.Uri);
        Assert.True(listener.MaxBody >= ProtocolLimits.DefaultMaxBody);
        await listener.PingAsync().AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await listener.JoinAsync(link, "listener").AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await listener.BindAsync(Port).AsTask().WaitAsync(TransportSiloFixture.Timeout);

        await using TamTamClient sender = await TamTamClient.ConnectAsync(options).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await sender.JoinAsync(link, "sender").AsTask().WaitAsync(TransportSiloFixture.Timeout);

        // SEND → ACCEPTED.
        byte[] payload = new byte[3_000];
        Random.Shared.NextBytes(payload);
        Guid id = Guid.CreateVersion7();
        SendReceipt receipt = await sender.SendAsync(Port, payload, new SendOptions { MessageId = id }).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        Assert.Equal(id, receipt.MessageId);
        Assert.False(receipt.Duplicate);
        Assert.True(receipt.Sequence > 0);

        // DELIVER → ACK.
        using var receiving = new CancellationTokenSource(TransportSiloFixture.Timeout);
        await using IAsyncEnumerator<IncomingMessage> inbox = listener.ReceiveAsync(receiving.Token).GetAsyncEnumerator(receiving.Token);
        Assert.True(await inbox.MoveNextAsync().AsTask().WaitAsync(TransportSiloFixture.Timeout));
        IncomingMessage message = inbox.Current;
        Assert.Equal((id, link, "sender", Port), (message.MessageId, message.SourceLink, message.SourceNode, message.Port));
        Assert.Equal(receipt.Sequence, message.Sequence);
        Assert.Equal(payload, message.Payload.ToArray());
        await message.AckAsync().AsTask().WaitAsync(TransportSiloFixture.Timeout);

        // STATUS DELIVERED.
        MessageStatus status = await receipt.Completion.WaitAsync(TransportSiloFixture.Timeout);
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal((id, 1u, 1u), (status.MessageId, status.Recipients, status.Confirmed));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_burst_of_stream_packets_and_a_large_message_arrive_whole_and_in_order(string transport)
    {
        // Thousands of packets reach the server's output faster than one write takes them, so the gateway sends many
        // frames at once (on WebSocket: a message joined from many buffer segments), and the receiver reads large messages.
        const int Packets = 5_000;
        string link = $"{transport}-{Guid.NewGuid():N}";
        TamTamClientOptions options = silo.ClientOptions(transport);
        await using TamTamClient listener = await TamTamClient.ConnectAsync(options).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await listener.JoinAsync(link, "listener").AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await listener.BindAsync("burst", PortMode.Group, subtree: false).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await listener.BindAsync(Port).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await using TamTamClient sender = await TamTamClient.ConnectAsync(options).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        await sender.JoinAsync(link, "sender").AsTask().WaitAsync(TransportSiloFixture.Timeout);

        for (int i = 0; i < Packets; i++)
        {
            await sender.PublishAsync("burst", PacketPayload(i)).AsTask().WaitAsync(TransportSiloFixture.Timeout);
        }

        byte[] large = new byte[600_000];
        Random.Shared.NextBytes(large);
        SendReceipt receipt = await sender.SendAsync(Port, large).AsTask().WaitAsync(TransportSiloFixture.Timeout);

        using var receiving = new CancellationTokenSource(TransportSiloFixture.Timeout);
        int received = 0;
        await foreach (StreamPacket packet in listener.ReceiveStreamAsync(receiving.Token))
        {
            Assert.Equal(0, packet.LostBefore);
            Assert.Equal((ulong)received + 1, packet.Sequence);
            Assert.Equal(PacketPayload(received), packet.Payload.ToArray());
            if (++received == Packets)
            {
                break;
            }
        }

        await using IAsyncEnumerator<IncomingMessage> inbox = listener.ReceiveAsync(receiving.Token).GetAsyncEnumerator(receiving.Token);
        Assert.True(await inbox.MoveNextAsync().AsTask().WaitAsync(TransportSiloFixture.Timeout));
        Assert.Equal(large, inbox.Current.Payload.ToArray());
        await inbox.Current.AckAsync().AsTask().WaitAsync(TransportSiloFixture.Timeout);
        Assert.Equal(FinalState.Delivered, (await receipt.Completion.WaitAsync(TransportSiloFixture.Timeout)).State);
    }

    private static byte[] PacketPayload(int index)
    {
        byte[] payload = new byte[300];
        BitConverter.TryWriteBytes(payload, index);
        payload.AsSpan(4).Fill((byte)index);
        return payload;
    }
}
