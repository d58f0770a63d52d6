using System.Buffers.Binary;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class BackpressureTests
{
    [Fact]
    public async Task Full_receive_buffer_stalls_the_servers_writes_and_drops_nothing()
    {
        const int count = 5_000;
        const int payloadSize = 16 * 1024;

        // 80 MB in all: more than any socket buffers between the two ends can hold, so the server can only
        // finish writing if the client keeps reading, and the client reads only as the application consumes.
        await using Session session = await Session.OpenAsync(options => options with { ReceiveBufferCapacity = 16 }, serverSendBuffer: 64 * 1024);
        await session.JoinAsync();
        Guid[] ids = [.. Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7())];

        Task writing = Task.Run(async () =>
        {
            var payload = new byte[payloadSize];
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(payload, i);
                await session.Peer.SendAsync(Frames.Deliver(ids[i], (ulong)i + 1, payload));
            }
        });

        var seen = new HashSet<Guid>();
        int received = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await foreach (IncomingMessage message in session.Client.ReceiveAsync(deadline.Token))
        {
            Assert.Equal(received, BinaryPrimitives.ReadInt32LittleEndian(message.Payload.Span));
            Assert.Equal((ulong)received + 1, message.Sequence);
            Assert.Equal(payloadSize, message.Payload.Length);
            Assert.True(seen.Add(message.MessageId));
            received++;
            if (received == 100)
            {
                Assert.False(writing.IsCompleted, "the server finished writing although the application consumed only 100 messages");
            }

            await message.AckAsync();

            // A slow consumer: give the read loop every chance to run ahead, which it must not.
            await Task.Yield();
            if (received == count)
            {
                break;
            }
        }

        await writing.Within();
        Assert.Equal(count, received);

        // Every message was acknowledged exactly once, in order.
        for (int i = 0; i < count; i++)
        {
            (AckFrame ack, _) = await session.Peer.ExpectAsync<AckFrame>();
            Assert.Equal(ids[i], ack.MessageId);
        }
    }
}
