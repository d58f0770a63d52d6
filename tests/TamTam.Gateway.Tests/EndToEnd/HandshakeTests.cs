using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

[Collection(SiloCollection.Name)]
public sealed class HandshakeTests(SiloFixture silo)
{
    [Fact]
    public async Task Hello_is_answered_with_a_welcome_on_version_1_carrying_the_session_terms()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello(), correlation: 77);

        ReceivedFrame frame = await client.ReceiveAsync();
        Assert.Equal(FrameType.Welcome, frame.Type);
        Assert.Equal(77u, frame.Correlation);
        WelcomeFrame welcome = frame.Decode<WelcomeFrame>();
        Assert.Equal(1, welcome.Version);
        Assert.Equal((uint)ProtocolLimits.DefaultMaxBody, welcome.MaxBody);
        Assert.Equal(1024u, welcome.MaxInflight);
        Assert.Equal(30_000u, welcome.HeartbeatMs);
        Assert.Equal(120_000u, welcome.SessionTimeoutMs);
        Assert.Equal((uint)(ProtocolLimits.DefaultMaxBody - 28), welcome.PartSize);
        Assert.NotEqual(Guid.Empty, welcome.SessionId);
        Assert.Equal(49, welcome.ResumeToken.Length);
        Assert.Equal(1, welcome.ResumeToken.Span[0]);
        Assert.Equal(welcome.SessionId, new Guid(welcome.ResumeToken.Span.Slice(1, 16), bigEndian: true));
        Assert.Equal("tamtam-cloud/0.1.0", welcome.Server.ToString());
        Assert.False(welcome.Resumed);
    }

    [Fact]
    public async Task Every_session_gets_its_own_id()
    {
        await using WireClient first = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await using WireClient second = await WireClient.ConnectAsync(silo.TcpEndPoint);

        WelcomeFrame a = await first.HelloAsync();
        WelcomeFrame b = await second.HelloAsync();

        Assert.NotEqual(a.SessionId, b.SessionId);
    }

    [Fact]
    public async Task Welcome_announces_the_smaller_maximum_body_and_the_server_enforces_it()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await client.HelloAsync(maxBody: 4096);
        Assert.Equal(4096u, welcome.MaxBody);
        Assert.Equal(4096u - 28, welcome.PartSize);

        await client.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 5, declaredLength: 4097));

        await client.ExpectErrorAsync(ErrorCode.FrameTooLarge, correlation: 5, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_version_range_that_includes_1_settles_on_1()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello(minVersion: 1, maxVersion: 9), correlation: 3);

        WelcomeFrame welcome = await client.ReceiveAsync<WelcomeFrame>();

        Assert.Equal(1, welcome.Version);
    }

    [Fact]
    public async Task A_client_speaking_only_newer_versions_gets_212_fatal_and_the_connection_closes()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello(minVersion: 2, maxVersion: 3), correlation: 9);

        await client.ExpectErrorAsync(ErrorCode.NoCommonVersion, correlation: 9, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_first_frame_other_than_hello_gets_200_fatal_and_the_connection_closes()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(new PingFrame(1), correlation: 11);

        await client.ExpectErrorAsync(ErrorCode.HandshakeRequired, correlation: 11, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_second_hello_gets_116_and_the_session_goes_on()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello(), correlation: 12);

        await client.ExpectErrorAsync(ErrorCode.UnexpectedFrame, correlation: 12, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task An_invalid_hello_gets_its_frame_error_and_a_valid_hello_after_it_is_welcomed()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello() with { MaxBody = 10 }, correlation: 13);
        await client.ExpectErrorAsync(ErrorCode.OutOfRange, correlation: 13, fatal: false);

        WelcomeFrame welcome = await client.HelloAsync();

        Assert.Equal(1, welcome.Version);
    }

    [Fact]
    public async Task An_unknown_resume_token_gets_204_and_a_hello_without_it_starts_a_new_session()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendAsync(WireClient.Hello(resumeToken: [1, 2, 3]), correlation: 14);
        await client.ExpectErrorAsync(ErrorCode.SessionExpired, correlation: 14, fatal: false);

        WelcomeFrame welcome = await client.HelloAsync();

        Assert.False(welcome.Resumed);
    }

    [Fact]
    public async Task A_connection_that_sends_no_hello_is_closed_with_210_after_the_handshake_timeout()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);

        await client.ExpectErrorAsync(ErrorCode.IdleTimeout, correlation: 0, fatal: true);
        await client.ExpectClosedAsync();
    }
}
