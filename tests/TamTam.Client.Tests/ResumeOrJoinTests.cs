using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

/// <summary><see cref="TamTamClient.ResumeOrJoinAsync"/>: a later process takes a session back by its token, or joins afresh.</summary>
public sealed class ResumeOrJoinTests
{
    private static readonly byte[] Token = [9, 8, 7];

    [Fact]
    public async Task A_known_token_resumes_the_session_without_a_join()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        Task<TamTamClient> connecting = ResumeOrJoinAsync(server);
        await using ScriptedPeer peer = await server.AcceptAsync();

        HelloFrame hello = await peer.HandshakeAsync(ScriptedPeer.DefaultWelcome with { ResumeToken = Token, Resumed = true });
        await using TamTamClient client = await connecting.Within();

        Assert.Equal(Token, hello.ResumeToken.ToArray());
        Assert.True(client.IsResumed);
        Assert.Equal(Token, client.ResumeToken.ToArray());
        Assert.Equal(("billing", "worker-1"), (client.Link, client.Node));

        // No JOIN followed the resume: the next frame is this PING's.
        Task pinging = client.PingAsync().AsTask();
        (PingFrame _, uint correlation) = await peer.ExpectAsync<PingFrame>();
        await peer.SendAsync(new PongFrame(0, 0), correlation);
        await pinging.Within();
    }

    [Fact]
    public async Task An_unknown_token_is_followed_by_a_new_session_that_joins_the_node()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        Task<TamTamClient> connecting = ResumeOrJoinAsync(server);
        await using ScriptedPeer peer = await server.AcceptAsync();

        (HelloFrame resume, uint helloCorrelation) = await peer.ExpectAsync<HelloFrame>();
        Assert.Equal(Token, resume.ResumeToken.ToArray());
        await peer.ErrorAsync(ErrorCode.SessionExpired, "unknown session", helloCorrelation);
        HelloFrame fresh = await peer.HandshakeAsync();
        Assert.True(fresh.ResumeToken.IsEmpty);
        (JoinFrame join, uint joinCorrelation) = await peer.ExpectAsync<JoinFrame>();
        Assert.Equal(("billing", "worker-1"), (join.Link.ToString(), join.Node.ToString()));
        await peer.OkAsync(joinCorrelation);
        await using TamTamClient client = await connecting.Within();

        Assert.False(client.IsResumed);
        Assert.Equal(ScriptedPeer.DefaultWelcome.ResumeToken.ToArray(), client.ResumeToken.ToArray());
    }

    private static Task<TamTamClient> ResumeOrJoinAsync(ScriptedServer server) =>
        TamTamClient.ResumeOrJoinAsync(new TamTamClientOptions { Uri = server.Uri, Reconnect = ReconnectOptions.Disabled }, "billing", "worker-1", Token)
            .AsTask();
}
