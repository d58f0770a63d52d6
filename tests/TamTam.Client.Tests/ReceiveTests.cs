using System.Buffers;
using System.Text;
using TamTam.Client.Events;
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
        Assert.NotEqual(0u, correlation); // so that an ERROR about it names it (docs/protocol.md section 5.13)
    }

    [Fact]
    public async Task Ack_refused_with_501_is_reported_and_its_redelivery_is_acked_again_without_surfacing()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        var refused = new TaskCompletionSource<TamTamAcknowledgementFailedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Client.AcknowledgementFailed += (_, args) => refused.TrySetResult(args);
        Guid id = Guid.CreateVersion7();
        Guid later = Guid.CreateVersion7();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();

        await session.Peer.SendAsync(Frames.Deliver(id, 1));
        await (await NextAsync(inbox)).AckAsync();
        (_, uint correlation) = await session.Peer.ExpectAsync<AckFrame>();
        await session.Peer.ErrorAsync(ErrorCode.Unavailable, "the link could not store the acknowledgement", correlation);

        TamTamAcknowledgementFailedEventArgs failure = await refused.Task.Within();
        Assert.Equal(id, failure.MessageId);
        Assert.False(failure.Nack);
        Assert.Equal(ErrorCode.Unavailable, failure.Error.Code);

        // The server recovers and delivers the message again: the client acknowledges it again by itself.
        await session.Peer.SendAsync(Frames.Deliver(id, 1, attempt: 2));
        Assert.Equal(id, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        await session.Peer.SendAsync(Frames.Deliver(later, 2));
        Assert.Equal(later, (await NextAsync(inbox)).MessageId);
        Assert.True(session.Client.IsConnected);
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
    public async Task Parted_delivery_is_written_part_by_part_a_bad_checksum_is_answered_400_and_the_digest_checked()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Guid id = Guid.CreateVersion7();
        byte[] payload = [.. Enumerable.Range(0, 10).Select(i => (byte)i)];
        await session.Peer.SendAsync(Parted(id, payload, partSize: 4));
        IncomingMessage message = await NextAsync(inbox);
        Assert.True(message.IsParted);
        Assert.Equal(10, message.PayloadLength);

        var destination = new MemoryStream();
        Task receiving = message.ReceivePayloadAsync(destination);
        PartFrame second = Part(id, payload, 4, 1);
        await session.Peer.SendAsync(second with { Crc32C = second.Crc32C ^ 1 });
        (PartAckFrame refused, _) = await session.Peer.ExpectAsync<PartAckFrame>();
        Assert.Equal((1u, ErrorCode.BadChecksum), (refused.Index, refused.Result));
        for (int i = 0; i < 3; i++)
        {
            await session.Peer.SendAsync(Part(id, payload, 4, i));
            (PartAckFrame ack, _) = await session.Peer.ExpectAsync<PartAckFrame>();
            Assert.Equal(((uint)i, ErrorCode.None), (ack.Index, ack.Result));
        }

        await receiving;
        Assert.Equal(payload, destination.ToArray());
    }

    [Fact]
    public async Task Resumed_parted_delivery_takes_the_parts_the_server_names_as_held_from_the_destination()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Guid id = Guid.CreateVersion7();
        byte[] payload = [.. Enumerable.Range(0, 10).Select(i => (byte)(i * 7))];

        // The destination kept part 0 from the connection before; the server says so with PART_ACK, then sends the rest.
        var destination = new MemoryStream();
        destination.Write(payload, 0, 4);
        await session.Peer.SendAsync(Parted(id, payload, partSize: 4));
        IncomingMessage message = await NextAsync(inbox);
        Task receiving = message.ReceivePayloadAsync(destination);
        await session.Peer.SendAsync(new PartAckFrame(id, 0, ErrorCode.None));
        await session.Peer.SendAsync(Part(id, payload, 4, 1));
        await session.Peer.SendAsync(Part(id, payload, 4, 2));
        await receiving;
        Assert.Equal(payload, destination.ToArray());
    }

    [Fact]
    public async Task Parted_delivery_whose_bytes_do_not_match_the_SHA256_fails_with_401()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Guid id = Guid.CreateVersion7();
        byte[] payload = [1, 2, 3, 4, 5];
        await session.Peer.SendAsync(Parted(id, [9, 9, 9, 9, 9], partSize: 4));
        IncomingMessage message = await NextAsync(inbox);
        Task receiving = message.ReceivePayloadAsync(new MemoryStream());
        await session.Peer.SendAsync(Part(id, payload, 4, 0));
        await session.Peer.SendAsync(Part(id, payload, 4, 1));
        TamTamException failure = await Assert.ThrowsAsync<TamTamException>(() => receiving);
        Assert.Equal(ErrorCode.BadDigest, failure.Code);
    }

    private static DeliverFrame Parted(Guid id, byte[] payload, int partSize) =>
        Frames.Deliver(id, 1, []) with
        {
            Transfer = new TransferInfo((ulong)payload.Length, (uint)partSize, (uint)((payload.Length + partSize - 1) / partSize),
                System.Security.Cryptography.SHA256.HashData(payload)),
            Payload = ReadOnlySequence<byte>.Empty,
        };

    private static PartFrame Part(Guid id, byte[] payload, int partSize, int index)
    {
        byte[] bytes = payload[(index * partSize)..Math.Min(payload.Length, (index + 1) * partSize)];
        return new PartFrame(id, (uint)index, (uint)((payload.Length + partSize - 1) / partSize), Crc32C.Compute(bytes),
            new ReadOnlySequence<byte>(bytes));
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
