using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Sessions;

/// <summary>Session resumption on the wire (docs/protocol.md sections 5.2, 5.7, 6.1, 6.3), over real sockets.</summary>
[Collection(ResumeSiloCollection.Name)]
public sealed class ResumeTests(ResumeSiloFixture silo)
{
    private const string Port = "jobs";

    [Fact]
    public async Task A_resumed_session_keeps_its_id_and_node_and_is_welcomed_RESUMED()
    {
        string link = Unique("resume");
        WelcomeFrame first;
        await using (WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint))
        {
            first = await client.HelloAsync();
            Assert.Equal(49, first.ResumeToken.Length);
            Assert.False(first.Resumed);
            Assert.Equal((uint)ResumeSiloFixture.SessionTimeout.TotalMilliseconds, first.SessionTimeoutMs);
            await JoinAsync(client, link, "worker", correlation: 2);
        }

        await using WireClient resumed = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await resumed.SendAsync(WireClient.Hello(resumeToken: first.ResumeToken.ToArray()), correlation: 1);
        WelcomeFrame welcome = await resumed.ReceiveAsync<WelcomeFrame>();
        Assert.True(welcome.Resumed);
        Assert.Equal(first.SessionId, welcome.SessionId);

        // Joined already: BIND works without JOIN, and a JOIN is 207.
        await resumed.SendAsync(new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), correlation: 3);
        await resumed.ReceiveAsync<OkFrame>();
        await resumed.SendAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), correlation: 4);
        await resumed.ExpectErrorAsync(ErrorCode.AlreadyJoined, correlation: 4, fatal: false);
    }

    [Fact]
    public async Task An_unknown_resume_token_is_204_and_not_fatal()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        byte[] forged = new byte[49];
        forged[0] = 1;
        Random.Shared.NextBytes(forged.AsSpan(1));
        await client.SendAsync(WireClient.Hello(resumeToken: forged), correlation: 7);
        await client.ExpectErrorAsync(ErrorCode.SessionExpired, correlation: 7, fatal: false);

        await client.SendAsync(WireClient.Hello(resumeToken: [1, 2, 3]), correlation: 8);
        await client.ExpectErrorAsync(ErrorCode.SessionExpired, correlation: 8, fatal: false);

        await client.SendAsync(WireClient.Hello(), correlation: 9);
        WelcomeFrame welcome = await client.ReceiveAsync<WelcomeFrame>();
        Assert.False(welcome.Resumed);
    }

    [Fact]
    public async Task A_disconnected_node_name_is_refused_to_others_until_its_session_resumes()
    {
        string link = Unique("conflict");
        WelcomeFrame first;
        await using (WireClient owner = await WireClient.ConnectAsync(silo.TcpEndPoint))
        {
            first = await owner.HelloAsync();
            await JoinAsync(owner, link, "worker", correlation: 2);
        }

        await using WireClient other = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await other.SendAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), correlation: 5);
        await other.ExpectErrorAsync(ErrorCode.NameTaken, correlation: 5, fatal: false);

        await using WireClient resumed = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await resumed.SendAsync(WireClient.Hello(resumeToken: first.ResumeToken.ToArray()), correlation: 1);
        Assert.True((await resumed.ReceiveAsync<WelcomeFrame>()).Resumed);

        await other.SendAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), correlation: 6);
        await other.ExpectErrorAsync(ErrorCode.NameTaken, correlation: 6, fatal: false);
    }

    [Fact]
    public async Task After_the_session_timeout_the_name_is_free_and_the_resume_token_is_204()
    {
        string link = Unique("expiry");
        WelcomeFrame first;
        await using (WireClient owner = await WireClient.ConnectAsync(silo.TcpEndPoint))
        {
            first = await owner.HelloAsync();
            await JoinAsync(owner, link, "worker", correlation: 2);
        }

        await using WireClient other = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        DateTime giveUp = DateTime.UtcNow + ResumeSiloFixture.SessionTimeout + TimeSpan.FromSeconds(10);
        for (uint correlation = 10; ; correlation++)
        {
            await other.SendAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From("worker")), correlation);
            ReceivedFrame answer = await other.ReceiveAsync();
            if (answer.Type == FrameType.Ok)
            {
                break;
            }

            Assert.Equal(ErrorCode.NameTaken, answer.Decode<ErrorFrame>().Code);
            Assert.True(DateTime.UtcNow < giveUp, "the name was not freed after the session timeout");
            await Task.Delay(250);
        }

        await using WireClient late = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await late.SendAsync(WireClient.Hello(resumeToken: first.ResumeToken.ToArray()), correlation: 1);
        await late.ExpectErrorAsync(ErrorCode.SessionExpired, correlation: 1, fatal: false);
    }

    [Fact]
    public async Task An_unacknowledged_delivery_comes_again_with_the_same_id_after_resume()
    {
        string link = Unique("redeliver");
        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        WelcomeFrame first;
        Guid messageId = Guid.CreateVersion7();
        await using (WireClient receiver = await WireClient.ConnectAsync(silo.TcpEndPoint))
        {
            first = await receiver.HelloAsync();
            await JoinAsync(receiver, link, "worker", correlation: 2);
            await receiver.SendAsync(new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), correlation: 3);
            await receiver.ReceiveAsync<OkFrame>();

            await JoinAsync(sender, link, "sender", correlation: 2);
            await sender.SendAsync(new SendFrame(messageId, Utf8Text.Empty, Utf8Text.From(Port), 0, false, null, null,
                new ReadOnlySequence<byte>("hello"u8.ToArray())), correlation: 3);
            await sender.ReceiveAsync<AcceptedFrame>();

            DeliverFrame delivered = await receiver.ReceiveAsync<DeliverFrame>();
            Assert.Equal(messageId, delivered.MessageId);
        }

        await using WireClient resumed = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await resumed.SendAsync(WireClient.Hello(resumeToken: first.ResumeToken.ToArray()), correlation: 1);
        Assert.True((await resumed.ReceiveAsync<WelcomeFrame>()).Resumed);
        DeliverFrame again = await resumed.ReceiveAsync<DeliverFrame>();
        Assert.Equal(messageId, again.MessageId);
        Assert.True(again.Redelivery);
        await resumed.SendAsync(new AckFrame(again.MessageId, again.Sequence), correlation: 4);

        StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
        Assert.Equal((messageId, FinalState.Delivered), (status.MessageId, status.State));
    }

    [Fact]
    public async Task LINKS_reports_each_link_with_its_nodes_and_last_sequence()
    {
        string link = Unique("links");
        await using WireClient a = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await using WireClient b = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await JoinAsync(a, link, "a", correlation: 2);
        await JoinAsync(b, link, "b", correlation: 2);
        await b.SendAsync(new BindFrame(PortMode.Unicast, Utf8Text.From(Port), Subtree: false), correlation: 3);
        await b.ReceiveAsync<OkFrame>();
        await a.SendAsync(new SendFrame(Guid.CreateVersion7(), Utf8Text.Empty, Utf8Text.From(Port), 0, false, null, null,
            new ReadOnlySequence<byte>("x"u8.ToArray())), correlation: 3);
        await a.ReceiveAsync<AcceptedFrame>();

        await a.SendAsync(default(LinksFrame), correlation: 4);
        LinksReportFrame report = await a.ReceiveAsync<LinksReportFrame>();
        LinkEntry entry = Assert.Single(report.Links, l => l.Link.ToString() == link);
        Assert.Equal((2u, 1ul), (entry.Nodes, entry.Sequence));
        Assert.False(report.Truncated);
    }

    private static async Task JoinAsync(WireClient client, string link, string node, uint correlation)
    {
        await client.SendAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From(node)), correlation);
        await client.ReceiveAsync<OkFrame>();
    }

    private static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}";
}
