using System.Buffers.Binary;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

/// <summary>
/// What a backlog does to the client: the server bounds it (its delivery window), so the client reads on whatever
/// the application does, and the replies behind the deliveries are never stuck.
/// </summary>
public sealed class BackpressureTests
{
    // Far more than the receive buffer's count (256 by default) and than any socket buffer between the two ends.
    private const int Backlog = 2_000;
    private const int PayloadSize = 4 * 1024;

    [Fact]
    public async Task Join_and_bind_are_answered_while_a_backlog_waits_unread_by_the_application()
    {
        await using Session session = await Session.OpenAsync(serverSendBuffer: 64 * 1024);
        Guid[] ids = [.. Enumerable.Range(0, Backlog).Select(_ => Guid.CreateVersion7())];

        // As the interchange does for a node that comes back to its inbox: the deliveries are pushed as soon as
        // the node joins, ahead of the JOIN's answer.
        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        (_, uint join) = await session.Peer.ExpectAsync<JoinFrame>();
        var payload = new byte[PayloadSize];
        for (int i = 0; i < Backlog / 2; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, i);
            await session.Peer.SendAsync(Frames.Deliver(ids[i], (ulong)i + 1, payload));
        }

        await session.Peer.OkAsync(join);
        await joining.Within();

        Task binding = session.Client.BindAsync("orders").AsTask();
        (_, uint bind) = await session.Peer.ExpectAsync<BindFrame>();
        for (int i = Backlog / 2; i < Backlog; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, i);
            await session.Peer.SendAsync(Frames.Deliver(ids[i], (ulong)i + 1, payload));
        }

        await session.Peer.OkAsync(bind);
        await binding.Within();

        // Only now does the application read: everything is there, once each, in order.
        int received = 0;
        using var deadline = new CancellationTokenSource(TestTimeout.Default);
        await foreach (IncomingMessage message in session.Client.ReceiveAsync(deadline.Token))
        {
            Assert.Equal(received, BinaryPrimitives.ReadInt32LittleEndian(message.Payload.Span));
            Assert.Equal(ids[received], message.MessageId);
            await message.AckAsync();
            if (++received == Backlog)
            {
                break;
            }
        }

        for (int i = 0; i < Backlog; i++)
        {
            (AckFrame ack, _) = await session.Peer.ExpectAsync<AckFrame>();
            Assert.Equal(ids[i], ack.MessageId);
        }
    }
}
