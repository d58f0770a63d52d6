using System.Text;
using TamTam.Gateway.Security;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>HELLO on an interchange with anonymous access off: what opens a session and what ends the connection (201, 202).</summary>
[Collection(SecureSiloCollection.Name)]
public sealed class AuthenticationTests(SecureSiloFixture silo)
{
    [Fact]
    public async Task A_valid_token_over_tls_is_welcomed()
    {
        await using TlsWireClient client = await TlsWireClient.ConnectAsync(silo);
        await client.SendAsync(TlsWireClient.Hello(silo.Token("billing")), correlation: 7);

        ReceivedFrame frame = await client.ReceiveAsync();
        Assert.Equal((FrameType.Welcome, 7u), (frame.Type, frame.Correlation));
        Assert.Equal((uint)SecureSiloFixture.MaxInflight, frame.Decode<WelcomeFrame>().MaxInflight);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_hello_without_a_token_is_refused_with_201_and_closed()
    {
        ErrorFrame error = await RefusedAsync(TlsWireClient.Hello(token: null), ErrorCode.AuthFailed);

        Assert.Contains("requires an access token", error.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_a_forged_signature_is_refused_with_201()
    {
        string token = silo.Token("billing");
        string forged = token[..^4] + (token[^4] == 'A' ? "BAAA" : "AAAA");

        ErrorFrame error = await RefusedAsync(TlsWireClient.Hello(forged), ErrorCode.AuthFailed);

        Assert.Contains("signature", error.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_whose_claims_were_changed_after_signing_is_refused_with_201()
    {
        string[] parts = silo.Token("billing").Split('.');
        string claims = Encoding.UTF8.GetString(Convert.FromBase64String(ToBase64(parts[1])));
        string widened = claims.Replace("\"link\":\"billing\"", "\"link\":\"*\"", StringComparison.Ordinal);
        Assert.NotEqual(claims, widened);
        string tampered = $"tt1.{System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(widened))}.{parts[2]}";

        await RefusedAsync(TlsWireClient.Hello(tampered), ErrorCode.AuthFailed);
    }

    [Fact]
    public async Task A_token_signed_with_an_unknown_key_id_is_refused_with_201()
    {
        var stranger = new AccessTokenIssuer("k9", AccessTokenIssuer.GenerateKey());
        string token = stranger.Issue(new AccessToken { Link = "billing", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        ErrorFrame error = await RefusedAsync(TlsWireClient.Hello(token), ErrorCode.AuthFailed);

        Assert.Contains("\"k9\"", error.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_under_a_known_key_id_is_refused_with_201()
    {
        var impostor = new AccessTokenIssuer(SecureSiloFixture.KeyId, AccessTokenIssuer.GenerateKey());
        string token = impostor.Issue(new AccessToken { Link = "billing", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        await RefusedAsync(TlsWireClient.Hello(token), ErrorCode.AuthFailed);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_202()
    {
        string token = silo.Issuer.Issue(new AccessToken { Link = "billing", ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-5) });

        ErrorFrame error = await RefusedAsync(TlsWireClient.Hello(token), ErrorCode.TokenExpired);

        Assert.Contains("expired", error.Message.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("tt1.")]
    [InlineData("tt1..")]
    [InlineData("tt2.e30.AAAA")]
    [InlineData("tt1.e30.AAAA.AAAA")]
    public async Task Garbage_in_auth_token_is_refused_with_201(string token)
    {
        await RefusedAsync(TlsWireClient.Hello(token), ErrorCode.AuthFailed);
    }

    [Fact]
    public async Task A_token_of_the_second_key_is_welcomed_as_during_a_rotation()
    {
        var rotated = new AccessTokenIssuer(SecureSiloFixture.RotatedKeyId, SecureSiloFixture.RotatedKey);
        string token = rotated.Issue(new AccessToken { Link = "billing", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, token);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_session_whose_token_expires_is_closed_with_202()
    {
        // Whole seconds: one to two from now. The expiry is checked every heartbeat (1 s here); this client never
        // answers PINGs, and the idle limit of three heartbeats comes after the expiry's tick.
        DateTimeOffset expiresAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2);
        string token = silo.Issuer.Issue(new AccessToken { Link = "billing", ExpiresAt = expiresAt });
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, token, heartbeatMs: 1_000);

        ReceivedFrame frame;
        do
        {
            frame = await client.ReceiveAsync();
        }
        while (frame.Type == FrameType.Ping);

        Assert.Equal(FrameType.Error, frame.Type);
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal((ErrorCode.TokenExpired, true), (error.Code, error.Fatal));
        Assert.True(DateTimeOffset.UtcNow >= expiresAt, "closed no earlier than the expiry");
        await client.ExpectClosedAsync();
    }

    private async Task<ErrorFrame> RefusedAsync(HelloFrame hello, ErrorCode code)
    {
        await using TlsWireClient client = await TlsWireClient.ConnectAsync(silo);
        await client.SendAsync(hello, correlation: 3);
        ErrorFrame error = await client.ExpectErrorAsync(code, correlation: 3, fatal: true);
        await client.ExpectClosedAsync();
        return error;
    }

    private static string ToBase64(string base64Url)
    {
        string base64 = base64Url.Replace('-', '+').Replace('_', '/');
        return base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
    }
}
