using System.Buffers;
using System.Security.Cryptography;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>PART and PART_ACK on the wire (docs/protocol.md sections 5.15 and 7), byte for byte, against the real silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class PartFrameTests(SiloFixture silo)
{
    private const string Port = "uploads";

    [Fact]
    public async Task Bad_checksum_gets_400_window_overflow_gets_403_and_parts_sent_again_complete_the_message()
    {
        string link = "parts-wire-" + Guid.NewGuid().ToString("N")[..8];
        await using WireClient receiver = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await receiver.SendAsync(new JoinFrame(link, "receiver"), correlation: 2);
        await receiver.ReceiveAsync<OkFrame>();
        await receiver.SendAsync(new BindFrame(PortMode.Unicast, Port, Subtree: false), correlation: 3);
        await receiver.ReceiveAsync<OkFrame>();

        // The smallest body there is makes parts of 996 bytes: a hundred of them fit one socket write.
        await using WireClient sender = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await sender.HelloAsync(maxBody: 1024);
        Assert.Equal(1024u - 28u, welcome.PartSize);
        await sender.SendAsync(new JoinFrame(link, "sender"), correlation: 2);
        await sender.ReceiveAsync<OkFrame>();

        int partSize = (int)welcome.PartSize;
        byte[] payload = new byte[(100 * partSize) - 500];
        Random.Shared.NextBytes(payload);
        Guid id = Guid.NewGuid();
        var info = new TransferInfo((ulong)payload.Length, (uint)partSize, 100, SHA256.HashData(payload));
        await sender.SendAsync(new SendFrame(id, default, Port, 0, false, null, info, default), correlation: 10);

        PartFrame first = Part(id, payload, partSize, 0);
        await sender.SendAsync(first with { Crc32C = first.Crc32C ^ 1 }, correlation: 11);
        PartAckFrame refused = await sender.ReceiveAsync<PartAckFrame>();
        Assert.Equal((id, 0u, ErrorCode.BadChecksum), (refused.TransferId, refused.Index, refused.Result));

        // Every part in one write: the server reads them in one batch, far faster than it can store them.
        var burst = new ArrayBufferWriter<byte>();
        for (int i = 0; i < 100; i++)
        {
            FrameCodec.Encode(burst, Part(id, payload, partSize, i), (uint)(100 + i));
        }

        await sender.SendRawAsync(burst.WrittenMemory);
        var stored = new HashSet<uint>();
        var overflowed = new List<uint>();
        AcceptedFrame? accepted = null;
        while (accepted is null)
        {
            ReceivedFrame frame = await sender.ReceiveAsync();
            if (frame.Type == FrameType.PartAck)
            {
                PartAckFrame ack = frame.Decode<PartAckFrame>();
                Assert.Equal(100 + ack.Index, frame.Correlation);
                if (ack.Result == ErrorCode.WindowFull)
                {
                    overflowed.Add(ack.Index);
                    await sender.SendAsync(Part(id, payload, partSize, (int)ack.Index), correlation: 100 + ack.Index);
                }
                else
                {
                    Assert.Equal(ErrorCode.None, ack.Result);
                    stored.Add(ack.Index);
                }
            }
            else if (frame.Type == FrameType.Accepted)
            {
                Assert.Equal(10u, frame.Correlation);
                accepted = frame.Decode<AcceptedFrame>();
            }
            else
            {
                Assert.Fail($"unexpected {frame}");
            }
        }

        Assert.NotEmpty(overflowed);
        Assert.Equal(100, stored.Count);
        Assert.Equal(id, accepted.Value.MessageId);

        // The receiver's session has the default maximum body: the payload comes to it cut in its own part size, one part.
        DeliverFrame deliver = await receiver.ReceiveAsync<DeliverFrame>();
        Assert.Equal(id, deliver.MessageId);
        Assert.Equal(((ulong)payload.Length, 1u), (deliver.Transfer!.Value.TotalSize, deliver.Transfer.Value.PartCount));
        PartFrame part = await receiver.ReceiveAsync<PartFrame>();
        Assert.Equal(payload, part.Payload.ToArray());
        Assert.Equal(Crc32C.Compute(payload), part.Crc32C);
        await receiver.SendAsync(new PartAckFrame(id, 0, ErrorCode.None));
        await receiver.SendAsync(new AckFrame(id, deliver.Sequence), correlation: 5);
        StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
        Assert.Equal((id, FinalState.Delivered), (status.MessageId, status.State));
    }

    [Fact]
    public async Task A_resumed_sender_gets_the_parts_the_server_holds_acknowledged_with_correlation_0()
    {
        string link = "parts-wire-" + Guid.NewGuid().ToString("N")[..8];
        await using WireClient receiver = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await receiver.SendAsync(new JoinFrame(link, "receiver"), correlation: 2);
        await receiver.ReceiveAsync<OkFrame>();
        await receiver.SendAsync(new BindFrame(PortMode.Unicast, Port, Subtree: false), correlation: 3);
        await receiver.ReceiveAsync<OkFrame>();

        WireClient first = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await first.HelloAsync(maxBody: 1024);
        byte[] resumeToken = welcome.ResumeToken.ToArray();
        await first.SendAsync(new JoinFrame(link, "sender"), correlation: 2);
        await first.ReceiveAsync<OkFrame>();
        int partSize = (int)welcome.PartSize;
        byte[] payload = new byte[(3 * partSize) - 10];
        Random.Shared.NextBytes(payload);
        Guid id = Guid.NewGuid();
        var send = new SendFrame(id, default, Port, 0, false, null, new TransferInfo((ulong)payload.Length, (uint)partSize, 3, SHA256.HashData(payload)), default);
        await first.SendAsync(send, correlation: 10);
        for (int i = 0; i < 2; i++)
        {
            await first.SendAsync(Part(id, payload, partSize, i), correlation: (uint)(11 + i));
            ReceivedFrame stored = await first.ReceiveAsync();
            Assert.Equal((FrameType.PartAck, 11u + (uint)i, ErrorCode.None), (stored.Type, stored.Correlation, stored.Decode<PartAckFrame>().Result));
        }

        await first.DisposeAsync();

        // The same session on a new connection repeats its SEND: the two parts held are answered with correlation 0,
        // before the PONG of the PING that follows; the SEND's own answer comes later, with the SEND's correlation.
        await using WireClient again = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await again.SendAsync(FramePeer.Hello(maxBody: 1024, resumeToken: resumeToken), correlation: 1);
        Assert.True((await again.ReceiveAsync<WelcomeFrame>()).Resumed);
        await again.SendAsync(send, correlation: 20);
        await again.SendAsync(new PingFrame(7), correlation: 21);
        var held = new List<uint>();
        ReceivedFrame frame;
        while ((frame = await again.ReceiveAsync()).Type == FrameType.PartAck)
        {
            PartAckFrame ack = frame.Decode<PartAckFrame>();
            Assert.Equal((id, ErrorCode.None, 0u), (ack.TransferId, ack.Result, frame.Correlation));
            held.Add(ack.Index);
        }

        Assert.Equal((FrameType.Pong, 21u), (frame.Type, frame.Correlation));
        Assert.Equal([0u, 1u], held);

        await again.SendAsync(Part(id, payload, partSize, 2), correlation: 22);
        ReceivedFrame last = await again.ReceiveAsync();
        Assert.Equal((FrameType.PartAck, 22u), (last.Type, last.Correlation));
        ReceivedFrame accepted = await again.ReceiveAsync();
        Assert.Equal((FrameType.Accepted, 20u), (accepted.Type, accepted.Correlation));
    }

    [Fact]
    public async Task A_part_of_an_unknown_transfer_gets_402()
    {
        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await sender.SendAsync(new JoinFrame("parts-wire-unknown", "sender-" + Guid.NewGuid().ToString("N")[..8]), correlation: 2);
        await sender.ReceiveAsync<OkFrame>();
        Guid id = Guid.NewGuid();
        await sender.SendAsync(Part(id, [1, 2, 3], 3, 0), correlation: 3);
        PartAckFrame ack = await sender.ReceiveAsync<PartAckFrame>();
        Assert.Equal((id, 0u, ErrorCode.UnknownTransfer), (ack.TransferId, ack.Index, ack.Result));
    }

    private static PartFrame Part(Guid id, byte[] payload, int partSize, int index)
    {
        int count = (payload.Length + partSize - 1) / partSize;
        int offset = index * partSize;
        byte[] bytes = payload[offset..Math.Min(payload.Length, offset + partSize)];
        return new PartFrame(id, (uint)index, (uint)count, Crc32C.Compute(bytes), new ReadOnlySequence<byte>(bytes));
    }
}
