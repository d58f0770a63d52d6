using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>A STREAM is held to the token's send patterns, as a SEND is; a refused packet is refused alone.</summary>
[Collection(SecureSiloCollection.Name)]
public sealed class StreamAuthorizationTests(SecureSiloFixture silo)
{
    [Fact]
    public async Task A_stream_outside_the_token_gets_203_and_an_allowed_one_is_delivered()
    {
        string link = $"sec-{Guid.NewGuid():N}"[..20];
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token(link, bind: ["live"], send: ["live"]));
        await client.SendAsync(new JoinFrame(link, "n"), correlation: 2);
        await client.ExpectOkAsync(2);
        await client.SendAsync(new BindFrame(PortMode.Group, "live", Subtree: false), correlation: 3);
        await client.ExpectOkAsync(3);

        await client.SendAsync(Stream("secret"), correlation: 80);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 80, fatal: false);

        // The node is bound to the port it streams to, so its own packet comes back, numbered.
        Guid id = Guid.CreateVersion7();
        await client.SendAsync(Stream("live", id), correlation: 81);
        StreamFrame delivered = await client.ReceiveAsync<StreamFrame>();
        Assert.Equal(id, delivered.PacketId);
        Assert.Equal("live", delivered.Port.ToString());
        Assert.True(delivered.StreamSequence >= 1);
    }

    private static StreamFrame Stream(string port, Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), Utf8Text.Empty, port, 1, 0, WantAck: false, Subtree: false, new ReadOnlySequence<byte>("hi"u8.ToArray()));
}
