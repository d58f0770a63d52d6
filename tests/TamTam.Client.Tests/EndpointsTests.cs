using TamTam.Client.Events;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

/// <summary>A client given several servers of one interchange: how it reads them, connects, and moves on, against scripted servers.</summary>
public sealed class EndpointsTests
{
    private static readonly ReconnectOptions Quick = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(20),
    };

    [Theory]
    [InlineData("tamtam://a:7420", "tamtam://a:7420/")]
    [InlineData("tamtam://a:7420,b:7421", "tamtam://a:7420/ tamtam://b:7421/")]
    [InlineData("tamtams://a, b ,c:9", "tamtams://a/ tamtams://b/ tamtams://c:9/")]
    [InlineData("tamtam://a:1,tamtams://b:2", "tamtam://a:1/ tamtams://b:2/")]
    [InlineData("tamtam://[::1]:7420,[::1]:7421", "tamtam://[::1]:7420/ tamtam://[::1]:7421/")]
    [InlineData("ws://a:7480/ws,b:7480/ws", "ws://a:7480/ws ws://b:7480/ws")]
    public void An_endpoint_list_reads_hosts_after_the_first_with_its_scheme(string text, string expected)
    {
        Assert.Equal(expected, string.Join(' ', TamTamEndpoints.Parse(text).Select(u => u.ToString())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:7420,b:7420")]
    [InlineData("tamtam://a:7420,,b:7420")]
    [InlineData("tamtam://a:7420,b:port")]
    public void A_malformed_endpoint_list_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => TamTamEndpoints.Parse(text));
    }

    [Fact]
    public async Task The_first_connection_passes_over_a_draining_server_to_the_next()
    {
        await using ScriptedServer draining = ScriptedServer.Start();
        await using ScriptedServer next = ScriptedServer.Start();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(draining, next)).AsTask();

        await using (ScriptedPeer refused = await draining.AcceptAsync())
        {
            (_, uint correlation) = await refused.ExpectAsync<HelloFrame>();
            await refused.ErrorAsync(ErrorCode.ShuttingDown, "the server is stopping; resume elsewhere", correlation, fatal: true);
        }

        await using ScriptedPeer peer = await next.AcceptAsync();
        await peer.HandshakeAsync();
        await using TamTamClient client = await connecting.Within();

        Assert.Equal(next.Uri, client.Uri);
    }

    [Fact]
    public async Task A_session_told_211_resumes_on_the_next_server_in_turn()
    {
        await using ScriptedServer first = ScriptedServer.Start();
        await using ScriptedServer second = ScriptedServer.Start();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(first, second)).AsTask();
        await using ScriptedPeer peer = await first.AcceptAsync();
        await peer.HandshakeAsync();
        await using TamTamClient client = await connecting.Within();
        Task<TamTamReconnectedEventArgs> reconnected = NextReconnect(client);

        await peer.ErrorAsync(ErrorCode.ShuttingDown, "the server is stopping; resume elsewhere", 0, fatal: true);

        await using ScriptedPeer again = await second.AcceptAsync();
        HelloFrame hello = await again.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });
        Assert.Equal(ScriptedPeer.DefaultWelcome.ResumeToken.ToArray(), hello.ResumeToken.ToArray());
        Assert.True((await reconnected.Within()).Resumed);
        Assert.Equal(second.Uri, client.Uri);
    }

    [Fact]
    public async Task Reconnection_attempts_walk_the_servers_in_turn_past_an_unreachable_one()
    {
        await using ScriptedServer first = ScriptedServer.Start();
        ScriptedServer gone = ScriptedServer.Start();
        await gone.DisposeAsync();
        await using ScriptedServer third = ScriptedServer.Start();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(first, gone, third)).AsTask();
        await using ScriptedPeer peer = await first.AcceptAsync();
        await peer.HandshakeAsync();
        await using TamTamClient client = await connecting.Within();
        Task<TamTamReconnectedEventArgs> reconnected = NextReconnect(client);

        peer.Close();

        // Attempt 1 dials the unreachable second server; attempt 2 the third.
        await using ScriptedPeer again = await third.AcceptAsync();
        await again.HandshakeAsync(ScriptedPeer.DefaultWelcome with { Resumed = true });
        Assert.Equal(2, (await reconnected.Within()).Attempts);
        Assert.Equal(third.Uri, client.Uri);
    }

    private static TamTamClientOptions Options(params ScriptedServer[] servers) => new()
    {
        Endpoints = [.. servers.Select(s => s.Uri)],
        ClientName = "client-tests/1.0",
        Reconnect = Quick,
    };

    private static Task<TamTamReconnectedEventArgs> NextReconnect(TamTamClient client)
    {
        var reconnected = new TaskCompletionSource<TamTamReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += (_, e) => reconnected.TrySetResult(e);
        return reconnected.Task;
    }
}
