using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public async Task Without_reconnect_server_closing_the_connection_fails_pending_sends_promptly()
    {
        await using Session session = await Session.OpenAsync(options => options with
        {
            RequestTimeout = Timeout.InfiniteTimeSpan,
            Reconnect = ReconnectOptions.Disabled,
        });
        await session.JoinAsync();

        Task<SendReceipt>[] sends = [.. Enumerable.Range(0, 10).Select(i => session.Client.SendAsync("orders", new[] { (byte)i }).AsTask())];
        for (int i = 0; i < sends.Length; i++)
        {
            await session.Peer.ExpectAsync<SendFrame>();
        }

        session.Peer.Close();

        foreach (Task<SendReceipt> send in sends)
        {
            var failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => send.Within());
            Assert.Equal(ErrorCode.None, failure.Code);
        }

        Assert.False(session.Client.IsConnected);
        await Assert.ThrowsAsync<TamTamConnectionException>(() => session.Client.SendAsync("orders", new byte[1]).Within());
        await Assert.ThrowsAsync<TamTamConnectionException>(async () =>
        {
            await foreach (IncomingMessage _ in session.Client.ReceiveAsync())
            {
            }
        });
    }

    [Fact]
    public async Task Fatal_ERROR_fails_pending_requests_with_its_code()
    {
        await using Session session = await Session.OpenAsync();

        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        await session.Peer.ExpectAsync<JoinFrame>();
        await session.Peer.ErrorAsync(ErrorCode.ShuttingDown, "the server is stopping", correlation: 0, fatal: true);

        var failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => joining.Within());
        Assert.Equal(ErrorCode.ShuttingDown, failure.Code);
        Assert.False(session.Client.IsConnected);
    }

    [Fact]
    public async Task Ping_measures_the_round_trip_and_echoes_its_timestamp()
    {
        await using Session session = await Session.OpenAsync();

        Task<TimeSpan> pinging = session.Client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await session.Peer.ExpectAsync<PingFrame>();
        Assert.NotEqual(0u, correlation);
        await session.Peer.SendAsync(new PongFrame(ping.SentAt, SentAt: 123), correlation);

        TimeSpan roundTrip = await pinging.Within();
        Assert.True(roundTrip >= TimeSpan.Zero);
        Assert.True(roundTrip < TestTimeout.Default);
    }

    [Fact]
    public async Task Server_PING_is_answered_with_PONG_carrying_its_correlation_and_echo()
    {
        await using Session session = await Session.OpenAsync();

        await session.Peer.SendAsync(new PingFrame(SentAt: 1_234_567), correlation: 99);

        (PongFrame pong, uint correlation) = await session.Peer.ExpectAsync<PongFrame>();
        Assert.Equal(99u, correlation);
        Assert.Equal(1_234_567, pong.Echo);
    }

    [Fact]
    public async Task Health_returns_state_and_figures()
    {
        await using Session session = await Session.OpenAsync();

        Task<HealthReport> asking = session.Client.HealthAsync().AsTask();
        (_, uint correlation) = await session.Peer.ExpectAsync<HealthFrame>();
        await session.Peer.SendAsync(new HealthReportFrame(HealthState.Degraded,
            [new HealthFigure(Utf8Text.From("silo.sessions"), 12), new HealthFigure(Utf8Text.From("session.rtt_us"), -1)]), correlation);

        HealthReport report = await asking.Within();
        Assert.Equal(HealthState.Degraded, report.State);
        Assert.Equal(12, report.Figures["silo.sessions"]);
        Assert.Equal(-1, report.Figures["session.rtt_us"]);
    }

    [Fact]
    public async Task Request_without_reply_times_out_and_the_connection_goes_on()
    {
        await using Session session = await Session.OpenAsync(options => options with { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        await session.Peer.ExpectAsync<JoinFrame>();
        await Assert.ThrowsAsync<TimeoutException>(() => joining.Within());

        Task<TimeSpan> pinging = session.Client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await session.Peer.ExpectAsync<PingFrame>();
        await session.Peer.SendAsync(new PongFrame(ping.SentAt, 0), correlation);
        await pinging.Within();
    }

    [Fact]
    public async Task Silent_server_is_declared_gone_after_three_heartbeats()
    {
        await using Session session = await Session.OpenAsync(welcome: ScriptedPeer.DefaultWelcome with { HeartbeatMs = 100 });

        Task<TimeSpan> unanswered = session.Client.PingAsync().AsTask();

        var failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => unanswered.Within());
        Assert.Equal(ErrorCode.IdleTimeout, failure.Code);
        Assert.False(session.Client.IsConnected);
    }

    [Fact]
    public async Task Server_PINGs_are_answered_while_deliveries_wait_unread()
    {
        await using Session session = await Session.OpenAsync(options => options with { ReceiveBufferCapacity = 1 },
            welcome: ScriptedPeer.DefaultWelcome with { HeartbeatMs = 100 });

        // More messages than the receive buffer's count; nobody consumes, and the client still reads on.
        for (ulong sequence = 1; sequence <= 3; sequence++)
        {
            await session.Peer.SendAsync(Frames.Deliver(Guid.CreateVersion7(), sequence));
        }

        await session.Peer.SendAsync(new PingFrame(77), correlation: 9);
        (PongFrame pong, uint correlation) = await session.Peer.ExpectAsync<PongFrame>();
        Assert.Equal((77L, 9u), (pong.Echo, correlation));
        Assert.True(session.Client.IsConnected);

        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        for (ulong sequence = 1; sequence <= 3; sequence++)
        {
            Assert.Equal(sequence, (await ReceiveTests.NextAsync(inbox)).Sequence);
        }
    }

    [Fact]
    public async Task Unknown_frame_type_is_answered_with_110_and_skipped()
    {
        await using Session session = await Session.OpenAsync();
        byte[] unknown = [0x54, 0x54, 1, 0x7E, 0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 0xAA, 0xBB, 0xCC];

        await session.Peer.SendRawAsync(unknown);
        await session.Peer.SendAsync(new PingFrame(1), correlation: 6);

        (ErrorFrame error, uint correlation) = await session.Peer.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCode.UnknownType, error.Code);
        Assert.Equal(5u, correlation);
        Assert.False(error.Fatal);
        Assert.Equal(6u, (await session.Peer.ExpectAsync<PongFrame>()).Correlation);
        Assert.True(session.Client.IsConnected);
    }

    [Fact]
    public async Task Bad_magic_from_the_server_closes_the_connection_with_a_fatal_ERROR()
    {
        await using Session session = await Session.OpenAsync();
        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        await session.Peer.ExpectAsync<JoinFrame>();

        await session.Peer.SendRawAsync(new byte[] { (byte)'H', (byte)'T', (byte)'T', (byte)'P', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });

        (ErrorFrame error, _) = await session.Peer.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCode.BadMagic, error.Code);
        Assert.True(error.Fatal);
        Assert.Equal(ErrorCode.BadMagic, (await Assert.ThrowsAsync<TamTamConnectionException>(() => joining.Within())).Code);
        await session.Peer.WaitForCloseAsync();
    }

    [Fact]
    public async Task Dispose_flushes_acks_fails_pending_requests_and_ends_receive_normally()
    {
        Session session = await Session.OpenAsync();
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Guid id = Guid.CreateVersion7();
        await session.Peer.SendAsync(Frames.Deliver(id, 1));
        IncomingMessage message = await ReceiveTests.NextAsync(inbox);
        Task<SendReceipt> pending = session.Client.SendAsync("orders", new byte[1]).AsTask();
        await session.Peer.ExpectAsync<SendFrame>();

        await message.AckAsync();
        await session.Client.DisposeAsync().AsTask().Within();

        Assert.Equal(id, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        await session.Peer.WaitForCloseAsync();
        await Assert.ThrowsAsync<TamTamConnectionException>(() => pending.Within());
        Assert.False(await inbox.MoveNextAsync().AsTask().Within());
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_ends_its_side_then_reads_on_answering_nothing_until_the_server_closes()
    {
        // A long close timeout: the client must still be waiting when the server closes.
        Session session = await Session.OpenAsync(o => o with { CloseTimeout = TimeSpan.FromMinutes(5) });
        await session.JoinAsync();
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Guid id = Guid.CreateVersion7();
        await session.Peer.SendAsync(Frames.Deliver(id, 1));
        IncomingMessage message = await ReceiveTests.NextAsync(inbox);
        await message.AckAsync();

        Task disposing = session.Client.DisposeAsync().AsTask();
        Assert.Equal(id, (await session.Peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        await session.Peer.ExpectEndOfStreamAsync();

        // The client has ended its side but not closed the connection: what the server still writes is read (a
        // closed socket would answer it with a reset) and answered with nothing.
        await session.Peer.SendAsync(new PingFrame(1), 5);
        await session.Peer.SendAsync(Frames.Deliver(Guid.CreateVersion7(), 2));
        Assert.False(disposing.IsCompleted);

        session.Peer.Close();
        await disposing.Within();
        await session.DisposeAsync();
    }
}
