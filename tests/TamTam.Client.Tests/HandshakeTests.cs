using System.Text;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Connect_sends_HELLO_and_exposes_what_WELCOME_announced()
    {
        await using Session session = await Session.OpenAsync(options => options with { AuthToken = "secret-token" });

        Assert.Equal(1, session.Hello.MinVersion);
        Assert.Equal(1, session.Hello.MaxVersion);
        Assert.Equal("client-tests/1.0", session.Hello.Client.ToString());
        Assert.Equal("secret-token", Encoding.UTF8.GetString(session.Hello.AuthToken.Span));
        Assert.True(session.Hello.ResumeToken.IsEmpty);

        Assert.Equal(ScriptedPeer.SessionId, session.Client.SessionId);
        Assert.Equal("scripted/1.0", session.Client.ServerName);
        Assert.Equal(ProtocolLimits.DefaultMaxBody, session.Client.MaxBody);
        Assert.Equal(4_096u, session.Client.MaxInflight);
        Assert.True(session.Client.IsConnected);
    }

    [Fact]
    public async Task Handshake_refused_with_ERROR_fails_connect_with_its_code()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        Task<ScriptedPeer> accepting = server.AcceptAsync();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = server.Uri }).AsTask();
        await using ScriptedPeer peer = await accepting;
        (_, uint correlation) = await peer.ExpectAsync<HelloFrame>();
        await peer.ErrorAsync(ErrorCode.AuthFailed, "token not signed by this interchange", correlation, fatal: true);

        var failure = await Assert.ThrowsAsync<TamTamConnectionException>(() => connecting.Within());
        Assert.Equal(ErrorCode.AuthFailed, failure.Code);
        Assert.Contains("201 AUTH_FAILED", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connects_over_a_unix_domain_socket()
    {
        await using ScriptedServer server = ScriptedServer.StartUnix();
        Task<ScriptedPeer> accepting = server.AcceptAsync();
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = server.Uri }).AsTask();
        await using ScriptedPeer peer = await accepting;
        await peer.HandshakeAsync();
        await using TamTamClient client = await connecting.Within();

        Task<TimeSpan> pinging = client.PingAsync().AsTask();
        (PingFrame ping, uint correlation) = await peer.ExpectAsync<PingFrame>();
        await peer.SendAsync(new PongFrame(ping.SentAt, 0), correlation);
        await pinging.Within();
        Assert.Equal(ScriptedPeer.SessionId, client.SessionId);
    }

    [Fact]
    public async Task Unsupported_scheme_is_refused_before_connecting()
    {
        var failure = await Assert.ThrowsAsync<ArgumentException>(() =>
            TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri("http://localhost:7420") }).Within());
        Assert.Contains("tamtam://", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_to_a_closed_port_fails_with_a_connection_exception()
    {
        ScriptedServer server = ScriptedServer.Start();
        Uri uri = server.Uri;
        await server.DisposeAsync();

        await Assert.ThrowsAsync<TamTamConnectionException>(() => TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = uri }).Within());
    }

    [Fact]
    public async Task Invalid_options_name_the_property()
    {
        var failure = await Assert.ThrowsAsync<ArgumentException>(() =>
            TamTamClient.ConnectAsync(new TamTamClientOptions { ReceiveBufferCapacity = 0 }).Within());
        Assert.Contains(nameof(TamTamClientOptions.ReceiveBufferCapacity), failure.Message, StringComparison.Ordinal);
    }
}
