using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class StatusTests
{
    [Fact]
    public async Task STATUS_completes_WaitForStatusAsync_and_is_answered_with_STATUS_ACK()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        SendReceipt receipt = await AcceptOneAsync(session);

        Task<MessageStatus> waiting = session.Client.WaitForStatusAsync(receipt.MessageId).AsTask();
        await session.Peer.SendAsync(Frames.Status(receipt.MessageId, FinalState.Partial, recipients: 3, confirmed: 2, detail: "one timed out"));

        MessageStatus status = await waiting.Within();
        Assert.Equal(receipt.MessageId, status.MessageId);
        Assert.Equal(FinalState.Partial, status.State);
        Assert.Equal(3u, status.Recipients);
        Assert.Equal(2u, status.Confirmed);
        Assert.Equal("one timed out", status.Detail);
        Assert.False(status.IsDelivered);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), status.At);

        (StatusAckFrame ack, _) = await session.Peer.ExpectAsync<StatusAckFrame>();
        Assert.Equal(receipt.MessageId, ack.MessageId);
        Assert.Same(status, await receipt.Completion.Within());
    }

    [Fact]
    public async Task Repeated_STATUS_ACK_answered_307_breaks_nothing()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        bool ackFailed = false;
        session.Client.AcknowledgementFailed += (_, _) => ackFailed = true;
        SendReceipt receipt = await AcceptOneAsync(session);

        // The STATUS comes twice (a resumed session's held status crossing the first confirmation): the client
        // confirms both, and the server, having forgotten it after the first, answers the second 307.
        await session.Peer.SendAsync(Frames.Status(receipt.MessageId));
        (_, uint first) = await session.Peer.ExpectAsync<StatusAckFrame>();
        await session.Peer.SendAsync(Frames.Status(receipt.MessageId));
        (_, uint second) = await session.Peer.ExpectAsync<StatusAckFrame>();
        Assert.NotEqual(0u, first);
        Assert.NotEqual(first, second);
        await session.Peer.ErrorAsync(ErrorCode.UnknownMessage, "no status of that message is held for this node", second);

        Assert.True((await receipt.Completion.Within()).IsDelivered);
        Task<TimeSpan> pinging = session.Client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await session.Peer.ExpectAsync<PingFrame>();
        await session.Peer.SendAsync(new PongFrame(ping.SentAt, SentAt: 1), correlation);
        await pinging.Within();
        Assert.True(session.Client.IsConnected);
        Assert.False(ackFailed);
    }

    [Fact]
    public async Task STATUS_that_arrives_before_anyone_asks_is_kept_for_the_receipt()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task<SendReceipt> sending = session.Client.SendAsync("orders", "x"u8.ToArray()).AsTask();
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(send.MessageId, 1), correlation);
        await session.Peer.SendAsync(Frames.Status(send.MessageId));
        (StatusAckFrame ack, _) = await session.Peer.ExpectAsync<StatusAckFrame>();
        Assert.Equal(send.MessageId, ack.MessageId);

        SendReceipt receipt = await sending.Within();
        MessageStatus status = await receipt.Completion.Within();
        Assert.True(status.IsDelivered);
        Assert.Same(status, await session.Client.WaitForStatusAsync(send.MessageId).Within());
    }

    [Fact]
    public async Task Statuses_nobody_awaits_are_confirmed_and_appear_in_the_feed()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid earlier = Guid.CreateVersion7();

        // A status for a message sent by an earlier session of this node.
        await session.Peer.SendAsync(Frames.Status(earlier, FinalState.Expired));
        (StatusAckFrame ack, _) = await session.Peer.ExpectAsync<StatusAckFrame>();
        Assert.Equal(earlier, ack.MessageId);

        await using IAsyncEnumerator<MessageStatus> feed = session.Client.StatusesAsync().GetAsyncEnumerator();
        Assert.True(await feed.MoveNextAsync().Within());
        Assert.Equal(earlier, feed.Current.MessageId);
        Assert.Equal(FinalState.Expired, feed.Current.State);
    }

    [Fact]
    public async Task SendAndWaitAsync_returns_the_final_status()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task<MessageStatus> sending = session.Client.SendAndWaitAsync("orders", "x"u8.ToArray()).AsTask();
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(send.MessageId, 9), correlation);
        await session.Peer.SendAsync(Frames.Status(send.MessageId, FinalState.Rejected, 1, 0, "bad order"));

        MessageStatus status = await sending.Within();
        Assert.Equal(FinalState.Rejected, status.State);
        Assert.Equal("bad order", status.Detail);
    }

    [Fact]
    public async Task Without_reconnect_connection_loss_fails_status_waiters_instead_of_hanging()
    {
        await using Session session = await Session.OpenAsync(options => options with { Reconnect = ReconnectOptions.Disabled });
        await session.JoinAsync();
        SendReceipt receipt = await AcceptOneAsync(session);

        session.Peer.Close();

        await Assert.ThrowsAsync<TamTamConnectionException>(() => receipt.Completion.Within());
        await Assert.ThrowsAsync<TamTamConnectionException>(() => session.Client.WaitForStatusAsync(Guid.CreateVersion7()).Within());
    }

    private static async Task<SendReceipt> AcceptOneAsync(Session session)
    {
        Task<SendReceipt> sending = session.Client.SendAsync("orders", "x"u8.ToArray()).AsTask();
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(send.MessageId, 1), correlation);
        return await sending.Within();
    }
}
