using System.Text;
using TamTam.Gateway.Security;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>The embedded defaults: anonymous sessions are allowed and unrestricted; a token cannot be verified without keys.</summary>
[Collection(SiloCollection.Name)]
public sealed class AnonymousAccessTests(SiloFixture silo)
{
    [Fact]
    public async Task An_anonymous_session_joins_binds_and_sends_anywhere()
    {
        string link = $"anon-{Guid.NewGuid():N}"[..20];
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new JoinFrame(link, "n"), correlation: 2);
        Assert.Equal(FrameType.Ok, (await client.ReceiveAsync()).Type);
        await client.SendAsync(new BindFrame(PortMode.Unicast, "any/port", Subtree: true), correlation: 3);
        Assert.Equal(FrameType.Ok, (await client.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task A_token_on_an_interchange_without_keys_is_refused_with_201()
    {
        var issuer = new AccessTokenIssuer("k1", AccessTokenIssuer.GenerateKey());
        byte[] token = Encoding.ASCII.GetBytes(issuer.Issue(new AccessToken { Link = "*", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }));
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);

        await client.SendAsync(new HelloFrame(1, 1, 0, 0, "tests", token, ReadOnlyMemory<byte>.Empty), correlation: 4);

        await client.ExpectErrorAsync(ErrorCode.AuthFailed, correlation: 4, fatal: true);
        await client.ExpectClosedAsync();
    }
}
