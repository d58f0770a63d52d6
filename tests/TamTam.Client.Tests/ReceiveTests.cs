using System.Buffers;
using System.Text;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class ReceiveTests
{
    [Fact]
    public async Task Delivery_surfaces_with_its_fields_and_ack_sends_ACK()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid id = Guid.CreateVersion7();
        DeliverFrame deliver = Frames.Deliver(id, sequence: 7, "hello") with { PortSequence = 3, Deadline = 1_700_000_001_000_000 };

        await session.Peer.SendAsync(deliver);
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        IncomingMessage message = await NextAsync(inbox);

        Assert.Equal(id, message.MessageId);
        Assert.Equal(7ul, message.Sequence);
        Assert.Equal(3ul, message.PortSequence);
        Assert.Equal("shop", message.SourceLink);
        Assert.Equal("web-1", message.SourceNode);
        Assert.Equal("billing", message.Link);
        Assert.Equal("orders", message.Port);
        Assert.Equal(1, message.Attempt);
        Assert.False(message.IsRedelivery);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_001), message.Deadline);
        Assert.Equal("hello", Encoding.UTF8.GetString(message.Payload.Span));

        await message.AckAsync();
        (AckFrame ack, uint correlation) = await session.Peer.ExpectAsync<AckFrame>();
        Assert.Equal(id, ack.MessageId);
        Assert.Equal(7ul, ack.Sequence);
        Assert.Equal(0u, correlation);
    }

    [Fact]
    public async Task Redelivery_of_a_message_still_held_unacked_is_dropped()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid first = Guid.CreateVersion7();
        Guid second = Guid.CreateVersion7();

        await session.Peer.SendAsync(Frames.Deliver(first, 1, "one"));
        await session.Peer.SendAsync(Frames.Deliver(first, 1, "one", attempt: 2));
        await session.Peer.SendAsync(Frames.Deliver(second, 2, "two"));

        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        IncomingMessage a = await NextAsync(inbox);
        IncomingMessage b = await NextAsync(inbox);
        Assert.Equal(first, a.MessageId);
        Assert.Equal(second, b.MessageId);

        // Nothing was acknowledged on the application's behalf: the next frames are exactly its own ACKs.
        await a.AckAsync();
        await b.AckAsync();
        Assert.Equal(first, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        Assert.Equal(second, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
    }

    [Fact]
    public async Task Redelivery_after_ack_is_acked_again_automatically_and_not_surfaced()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid first = Guid.CreateVersion7();
        Guid second = Guid.CreateVersion7();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();

        await session.Peer.SendAsync(Frames.Deliver(first, 1));
        IncomingMessage message = await NextAsync(inbox);
        await message.AckAsync();
        Assert.Equal(first, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);

        // The ACK crossed a redelivery (or the server lost it): the client confirms again by itself.
        await session.Peer.SendAsync(Frames.Deliver(first, 1, attempt: 2));
        (AckFrame again, _) = await session.Peer.ExpectAsync<AckFrame>();
        Assert.Equal(first, again.MessageId);
        Assert.Equal(1ul, again.Sequence);

        await session.Peer.SendAsync(Frames.Deliver(second, 2));
        Assert.Equal(second, (await NextAsync(inbox)).MessageId);
    }

    [Fact]
    public async Task Nack_with_requeue_lets_the_next_attempt_through()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid id = Guid.CreateVersion7();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();

        await session.Peer.SendAsync(Frames.Deliver(id, 1));
        await (await NextAsync(inbox)).NackAsync(reason: 7, detail: "busy", requeue: true);
        (NackFrame nack, _) = await session.Peer.ExpectAsync<NackFrame>();
        Assert.Equal(id, nack.MessageId);
        Assert.Equal(7, nack.Reason);
        Assert.Equal("busy", nack.Detail.ToString());
        Assert.True(nack.Requeue);

        await session.Peer.SendAsync(Frames.Deliver(id, 1, attempt: 2));
        IncomingMessage retried = await NextAsync(inbox);
        Assert.Equal(id, retried.MessageId);
        Assert.Equal(2, retried.Attempt);
        Assert.True(retried.IsRedelivery);
    }

    [Fact]
    public async Task Redelivery_of_a_rejected_message_is_rejected_again_automatically()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid id = Guid.CreateVersion7();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();

        await session.Peer.SendAsync(Frames.Deliver(id, 1));
        await (await NextAsync(inbox)).NackAsync();
        Assert.False((await session.Peer.ExpectAsync<NackFrame>()).Frame.Requeue);

        await session.Peer.SendAsync(Frames.Deliver(id, 1, attempt: 2));
        (NackFrame again, _) = await session.Peer.ExpectAsync<NackFrame>();
        Assert.Equal(id, again.MessageId);
        Assert.False(again.Requeue);
    }

    [Fact]
    public async Task Parted_delivery_is_rejected_since_this_client_cannot_receive_parts()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid id = Guid.CreateVersion7();
        DeliverFrame parted = Frames.Deliver(id, 1, []) with
        {
            Transfer = new TransferInfo(10, 4, 3, new byte[32]),
            Payload = ReadOnlySequence<byte>.Empty,
        };

        await session.Peer.SendAsync(parted);

        (NackFrame nack, _) = await session.Peer.ExpectAsync<NackFrame>();
        Assert.Equal(id, nack.MessageId);
        Assert.False(nack.Requeue);
    }

    [Fact]
    public async Task Second_ack_of_the_same_message_sends_nothing()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();

        await session.Peer.SendAsync(Frames.Deliver(Guid.CreateVersion7(), 1));
        await session.Peer.SendAsync(Frames.Deliver(Guid.CreateVersion7(), 2));
        IncomingMessage first = await NextAsync(inbox);
        IncomingMessage second = await NextAsync(inbox);
        await first.AckAsync();
        await first.AckAsync();
        await first.NackAsync();
        await second.AckAsync();

        Assert.Equal(first.MessageId, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        Assert.Equal(second.MessageId, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
    }

    internal static async Task<IncomingMessage> NextAsync(IAsyncEnumerator<IncomingMessage> inbox)
    {
        Assert.True(await inbox.MoveNextAsync().AsTask().Within(), "the receive sequence ended");
        return inbox.Current;
    }
}
