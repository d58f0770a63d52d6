using System.Text;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class SendTests
{
    [Fact]
    public async Task Thousand_concurrent_sends_each_get_their_own_ACCEPTED_when_replies_come_in_reverse()
    {
        const int count = 1_000;
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        var sends = new Task<SendReceipt>[count];
        for (int i = 0; i < count; i++)
        {
            sends[i] = session.Client.SendAsync("orders", Encoding.UTF8.GetBytes($"message {i}")).AsTask();
        }

        // The server numbers the SENDs in the order they arrive and answers the last one first.
        var received = new List<(Guid Id, uint Correlation, string Payload)>(count);
        for (int i = 0; i < count; i++)
        {
            (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
            received.Add((send.MessageId, correlation, Encoding.UTF8.GetString(send.Payload.FirstSpan)));
        }

        Assert.Equal(count, received.Select(r => r.Correlation).Distinct().Count());
        var sequenceOf = new Dictionary<Guid, ulong>();
        for (int i = count - 1; i >= 0; i--)
        {
            sequenceOf[received[i].Id] = (ulong)i + 1;
            await session.Peer.SendAsync(Frames.Accepted(received[i].Id, (ulong)i + 1), received[i].Correlation);
        }

        SendReceipt[] receipts = await Task.WhenAll(sends).Within();
        Assert.Equal(count, receipts.Select(r => r.MessageId).Distinct().Count());
        foreach (SendReceipt receipt in receipts)
        {
            Assert.Equal(sequenceOf[receipt.MessageId], receipt.Sequence);
        }

        // Each caller's receipt is for its own payload.
        var payloadOf = received.ToDictionary(r => r.Id, r => r.Payload);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal($"message {i}", payloadOf[receipts[i].MessageId]);
        }
    }

    [Fact]
    public async Task ERROR_for_one_send_fails_only_that_send()
    {
        // QuotaWait zero: a 302 fails the send at once instead of pausing it.
        await using Session session = await Session.OpenAsync(o => o with { QuotaWait = TimeSpan.Zero });
        await session.JoinAsync();

        Task<SendReceipt> first = session.Client.SendAsync("orders", "a"u8.ToArray()).AsTask();
        Task<SendReceipt> second = session.Client.SendAsync("orders", "b"u8.ToArray()).AsTask();
        Task<SendReceipt> third = session.Client.SendAsync("orders", "c"u8.ToArray()).AsTask();
        var frames = new Dictionary<string, (SendFrame Frame, uint Correlation)>();
        for (int i = 0; i < 3; i++)
        {
            (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
            frames[Encoding.UTF8.GetString(send.Payload.FirstSpan)] = (send, correlation);
        }

        await session.Peer.SendAsync(Frames.Accepted(frames["a"].Frame.MessageId, 1), frames["a"].Correlation);
        await session.Peer.ErrorAsync(ErrorCode.QuotaExceeded, "the destination inbox is full", frames["b"].Correlation);
        await session.Peer.SendAsync(Frames.Accepted(frames["c"].Frame.MessageId, 2), frames["c"].Correlation);

        Assert.Equal(1ul, (await first.Within()).Sequence);
        var failure = await Assert.ThrowsAsync<TamTamException>(() => second.Within());
        Assert.Equal(ErrorCode.QuotaExceeded, failure.Code);
        Assert.IsNotType<TamTamConnectionException>(failure);
        Assert.Equal(2ul, (await third.Within()).Sequence);
        Assert.True(session.Client.IsConnected);
    }

    [Fact]
    public async Task A_send_refused_for_a_full_inbox_is_paused_and_sent_again_under_the_same_id()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task<SendReceipt> sending = session.Client.SendAsync("orders", "a"u8.ToArray()).AsTask();
        (SendFrame first, uint firstCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.ErrorAsync(ErrorCode.QuotaExceeded, "the destination inbox is full", firstCorrelation);
        (SendFrame second, uint secondCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.ErrorAsync(ErrorCode.QuotaExceeded, "the destination inbox is still full", secondCorrelation);
        (SendFrame third, uint thirdCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(third.MessageId, 7), thirdCorrelation);

        SendReceipt receipt = await sending.Within();
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(first.MessageId, third.MessageId);
        Assert.Equal(first.MessageId, receipt.MessageId);
        Assert.Equal(7ul, receipt.Sequence);
    }

    [Fact]
    public async Task A_send_paused_for_a_full_inbox_fails_with_302_once_QuotaWait_has_passed()
    {
        await using Session session = await Session.OpenAsync(o => o with { QuotaWait = TimeSpan.FromMilliseconds(50) });
        await session.JoinAsync();

        Task<SendReceipt> sending = session.Client.SendAsync("orders", "a"u8.ToArray()).AsTask();
        TamTamException? failure = null;
        while (failure is null)
        {
            (SendFrame _, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
            await session.Peer.ErrorAsync(ErrorCode.QuotaExceeded, "the destination inbox is full", correlation);
            Task settled = await Task.WhenAny(sending, Task.Delay(TimeSpan.FromMilliseconds(200)));
            if (settled == sending)
            {
                failure = await Assert.ThrowsAsync<TamTamException>(() => sending);
            }
        }

        Assert.Equal(ErrorCode.QuotaExceeded, failure.Code);
    }

    [Fact]
    public async Task Send_carries_link_ttl_subtree_and_the_chosen_message_id()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        Guid id = Guid.CreateVersion7();

        Task<SendReceipt> sending = session.Client.SendAsync("orders/eu", "x"u8.ToArray(),
            new SendOptions { Link = "shop", Ttl = TimeSpan.FromSeconds(30), MessageId = id, Subtree = true }).AsTask();
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(id, 42, duplicate: true), correlation);
        SendReceipt receipt = await sending.Within();

        Assert.Equal(id, send.MessageId);
        Assert.Equal("shop", send.DestLink.ToString());
        Assert.Equal("orders/eu", send.DestPort.ToString());
        Assert.Equal(30_000u, send.TtlMs);
        Assert.True(send.Subtree);
        Assert.Equal(id, receipt.MessageId);
        Assert.Equal(42ul, receipt.Sequence);
        Assert.True(receipt.Duplicate);
    }

    [Fact]
    public async Task Default_send_goes_to_the_own_link_with_a_version_7_id_and_no_ttl()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task<SendReceipt> sending = session.Client.SendAsync("orders", ReadOnlyMemory<byte>.Empty).AsTask();
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(send.MessageId, 1), correlation);
        await sending.Within();

        Assert.True(send.DestLink.IsEmpty);
        Assert.Equal(0u, send.TtlMs);
        Assert.False(send.Subtree);
        Assert.Equal(7, send.MessageId.Version);
        Assert.True(send.Payload.IsEmpty);
    }

    [Fact]
    public async Task Payload_larger_than_the_servers_max_body_is_refused_locally_with_303()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        var failure = await Assert.ThrowsAsync<TamTamException>(() =>
            session.Client.SendAsync("orders", new byte[ProtocolLimits.DefaultMaxBody]).Within());

        Assert.Equal(ErrorCode.MessageTooLarge, failure.Code);
    }

    [Fact]
    public async Task Cancelled_send_stops_waiting_and_a_later_send_still_works()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        using var cancel = new CancellationTokenSource();
        Task<SendReceipt> cancelled = session.Client.SendAsync("orders", "a"u8.ToArray(), cancellationToken: cancel.Token).AsTask();
        (SendFrame first, uint firstCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within());

        // The late reply is ignored; the connection goes on.
        await session.Peer.SendAsync(Frames.Accepted(first.MessageId, 1), firstCorrelation);
        Task<SendReceipt> next = session.Client.SendAsync("orders", "b"u8.ToArray()).AsTask();
        (SendFrame second, uint secondCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(second.MessageId, 2), secondCorrelation);
        Assert.Equal(2ul, (await next.Within()).Sequence);
    }

    [Fact]
    public async Task Sends_beyond_max_inflight_wait_for_a_slot()
    {
        WelcomeFrame welcome = ScriptedPeer.DefaultWelcome with { MaxInflight = 2 };
        await using Session session = await Session.OpenAsync(welcome: welcome);
        await session.JoinAsync();

        Task<SendReceipt>[] sends = [.. Enumerable.Range(0, 3).Select(i => session.Client.SendAsync("orders", new[] { (byte)i }).AsTask())];
        (SendFrame a, uint ca) = await session.Peer.ExpectAsync<SendFrame>();
        (SendFrame b, uint cb) = await session.Peer.ExpectAsync<SendFrame>();

        // All three calls ran up to their first wait before this point, so a third SEND written without a
        // slot would be on the wire ahead of the PONG that answers this PING.
        await session.Peer.SendAsync(new PingFrame(1), 77);
        (PongFrame pong, uint pongCorrelation) = await session.Peer.ExpectAsync<PongFrame>();
        Assert.Equal(77u, pongCorrelation);
        Assert.Equal(1, pong.Echo);

        // Only when a slot frees up does the third SEND reach the wire.
        await session.Peer.SendAsync(Frames.Accepted(a.MessageId, 1), ca);
        (SendFrame c, uint cc) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(b.MessageId, 2), cb);
        await session.Peer.SendAsync(Frames.Accepted(c.MessageId, 3), cc);

        SendReceipt[] receipts = await Task.WhenAll(sends).Within();
        Assert.Equal([1ul, 2ul, 3ul], receipts.Select(r => r.Sequence).Order());
    }

    [Fact]
    public async Task Parted_send_answered_ACCEPTED_before_its_parts_sends_none_and_returns_a_duplicate_receipt()
    {
        // A resumed SEND whose upload the first connection's parts in flight already completed: the server answers
        // ACCEPTED (duplicate) at once, and a PART sent after that would be refused 402.
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();
        byte[] payload = new byte[(3 * ScriptedPeer.DefaultWelcome.PartSize) + 17];
        Random.Shared.NextBytes(payload);

        Task<SendReceipt> sending = session.Client.SendStreamAsync("files/in", new MemoryStream(payload));
        (SendFrame send, uint correlation) = await session.Peer.ExpectAsync<SendFrame>();
        Assert.True(send.Transfer.HasValue);
        await session.Peer.SendAsync(Frames.Accepted(send.MessageId, 7, duplicate: true), correlation);
        (PingFrame ping, uint pingCorrelation) = await session.Peer.ExpectAsync<PingFrame>();
        await session.Peer.SendAsync(new PongFrame(ping.SentAt, SentAt: 1), pingCorrelation);

        SendReceipt receipt = await sending.Within();
        Assert.True(receipt.Duplicate);
        Assert.Equal(7ul, receipt.Sequence);

        // The next frame on the wire is the next request, not a PART.
        Task<SendReceipt> next = session.Client.SendAsync("orders", "b"u8.ToArray()).AsTask();
        (SendFrame second, uint secondCorrelation) = await session.Peer.ExpectAsync<SendFrame>();
        await session.Peer.SendAsync(Frames.Accepted(second.MessageId, 8), secondCorrelation);
        Assert.Equal(8ul, (await next.Within()).Sequence);
    }
}
