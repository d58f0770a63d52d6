using TamTam.Client.Events;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

/// <summary>What the client says on a new connection after losing one, against a scripted server.</summary>
public sealed class ReconnectTests
{
    private static readonly ReconnectOptions Quick = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task A_send_in_flight_at_the_loss_is_sent_again_with_the_same_id_after_the_resume()
    {
        await using Session session = await Session.OpenAsync(options => options with { Reconnect = Quick });
        await session.JoinAsync();
        var reconnected = new TaskCompletionSource<TamTamReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Client.Reconnected += (_, e) => reconnected.TrySetResult(e);

        Task<SendReceipt> sending = session.Client.SendAsync("orders", "x"u8.ToArray()).AsTask();
        (SendFrame first, _) = await session.Peer.ExpectAsync<SendFrame>();
        session.Peer.Close();

        await using ScriptedPeer again = await session.Server.AcceptAsync();
        HelloFrame hello = await again.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });
        Assert.Equal(ScriptedPeer.DefaultWelcome.ResumeToken.ToArray(), hello.ResumeToken.ToArray());

        (SendFrame repeated, uint correlation) = await again.ExpectAsync<SendFrame>();
        Assert.Equal(first.MessageId, repeated.MessageId);
        await again.SendAsync(Frames.Accepted(repeated.MessageId, 7, duplicate: true), correlation);

        SendReceipt receipt = await sending.Within();
        Assert.Equal((first.MessageId, 7ul, true), (receipt.MessageId, receipt.Sequence, receipt.Duplicate));
        TamTamReconnectedEventArgs back = await reconnected.Task.Within();
        Assert.True(back.Resumed);
        Assert.True(session.Client.IsConnected);
    }

    [Fact]
    public async Task A_session_taken_over_elsewhere_is_not_resumed_and_the_client_ends_with_213()
    {
        await using Session session = await Session.OpenAsync(options => options with { Reconnect = Quick });
        await session.JoinAsync();
        var disconnected = new TaskCompletionSource<TamTamDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Client.Disconnected += (_, e) => disconnected.TrySetResult(e);

        // Someone else resumed this session with its token: resuming it back would only take it from them again.
        await session.Peer.ErrorAsync(ErrorCode.SessionTakenOver, "the session was resumed on another connection", 0, fatal: true);

        TamTamDisconnectedEventArgs gone = await disconnected.Task.Within();
        Assert.False(gone.WillReconnect);
        Assert.Equal(ErrorCode.SessionTakenOver, gone.Reason.Code);
        var failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => session.Client.PingAsync().AsTask().Within());
        Assert.Equal(ErrorCode.SessionTakenOver, failure.Code);
    }

    [Fact]
    public async Task A_213_after_a_resume_the_client_gave_up_on_is_resumed_once_per_such_attempt()
    {
        await using Session session = await Session.OpenAsync(options => options with
        {
            Reconnect = Quick,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        await session.JoinAsync();
        var disconnected = new TaskCompletionSource<TamTamDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Client.Disconnected += (_, e) =>
        {
            if (!e.WillReconnect)
            {
                disconnected.TrySetResult(e);
            }
        };
        session.Peer.Close();

        // The first resume reaches a server too slow to answer within the connect timeout: the client gives it up,
        // while the server may still act on it.
        await using ScriptedPeer slow = await session.Server.AcceptAsync();
        (HelloFrame given, _) = await slow.ExpectAsync<HelloFrame>();
        Assert.False(given.ResumeToken.IsEmpty);

        await using ScriptedPeer second = await session.Server.AcceptAsync();
        await second.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });

        // The given-up resume took the session over at last: the client's own doing, so it resumes again.
        await second.ErrorAsync(ErrorCode.SessionTakenOver, "the session was resumed on another connection", 0, fatal: true);
        await using ScriptedPeer third = await session.Server.AcceptAsync();
        HelloFrame again = await third.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });
        Assert.Equal(given.ResumeToken.ToArray(), again.ResumeToken.ToArray());
        Task<TimeSpan> pinging = session.Client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await third.ExpectAsync<PingFrame>();
        await third.SendAsync(new PongFrame(ping.SentAt, SentAt: 1), correlation);
        await pinging.Within();

        // That attempt is accounted for: another 213 is another holder's, and the client ends.
        await third.ErrorAsync(ErrorCode.SessionTakenOver, "the session was resumed on another connection", 0, fatal: true);
        TamTamDisconnectedEventArgs gone = await disconnected.Task.Within();
        Assert.Equal(ErrorCode.SessionTakenOver, gone.Reason.Code);
    }

    [Fact]
    public async Task An_expired_session_is_replaced_by_a_new_one_that_joins_the_same_link_and_node_again()
    {
        await using Session session = await Session.OpenAsync(options => options with { Reconnect = Quick });
        await session.JoinAsync("billing", "worker-1");
        var reconnected = new TaskCompletionSource<TamTamReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Client.Reconnected += (_, e) => reconnected.TrySetResult(e);
        session.Peer.Close();

        await using ScriptedPeer again = await session.Server.AcceptAsync();
        (HelloFrame resume, uint helloCorrelation) = await again.ExpectAsync<HelloFrame>();
        Assert.False(resume.ResumeToken.IsEmpty);
        await again.ErrorAsync(ErrorCode.SessionExpired, "unknown session", helloCorrelation);
        HelloFrame fresh = await again.HandshakeAsync(ScriptedPeer.DefaultWelcome with { SessionId = Guid.CreateVersion7() });
        Assert.True(fresh.ResumeToken.IsEmpty);

        // The old session's name is still reserved for a moment: 205, then OK.
        (JoinFrame join, uint joinCorrelation) = await again.ExpectAsync<JoinFrame>();
        Assert.Equal(("billing", "worker-1"), (join.Link.ToString(), join.Node.ToString()));
        await again.ErrorAsync(ErrorCode.NameTaken, "reserved", joinCorrelation);
        (_, joinCorrelation) = await again.ExpectAsync<JoinFrame>();
        await again.OkAsync(joinCorrelation);

        TamTamReconnectedEventArgs back = await reconnected.Task.Within();
        Assert.False(back.Resumed);
        Assert.Equal(("billing", "worker-1"), (session.Client.Link, session.Client.Node));
    }

    [Fact]
    public async Task A_message_the_application_holds_across_a_resume_is_acknowledged_on_the_new_connection()
    {
        await using Session session = await Session.OpenAsync(options => options with { Reconnect = Quick });
        await session.JoinAsync();
        Guid held = Guid.CreateVersion7();
        Guid next = Guid.CreateVersion7();
        await session.Peer.SendAsync(Frames.Deliver(held, 1, "held"));
        await using IAsyncEnumerator<IncomingMessage> inbox = session.Client.ReceiveAsync().GetAsyncEnumerator();
        Assert.True(await inbox.MoveNextAsync().AsTask().Within());
        IncomingMessage message = inbox.Current;

        session.Peer.Close();
        await using ScriptedPeer again = await session.Server.AcceptAsync();
        await again.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });

        // The server sends the unacknowledged message again; the application already holds it, so it is dropped.
        await again.SendAsync(Frames.Deliver(held, 1, "held", attempt: 2));
        await again.SendAsync(Frames.Deliver(next, 2, "next"));
        Assert.True(await inbox.MoveNextAsync().AsTask().Within());
        Assert.Equal(next, inbox.Current.MessageId);

        // Its acknowledgement is the only answer the server will get: it must reach the connection now open.
        await message.AckAsync();
        (AckFrame ack, _) = await again.ExpectAsync<AckFrame>().Within();
        Assert.Equal((held, 1ul), (ack.MessageId, ack.Sequence));
    }
}
