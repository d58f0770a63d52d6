using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Streams;

/// <summary>STREAM with SUBTREE on the wire (docs/protocol.md 5.16): served, delivered with its flag, and numbered apart from the port's own stream.</summary>
[Collection(SiloCollection.Name)]
public sealed class SubtreeStreamTests(SiloFixture silo)
{
    [Fact]
    public async Task A_stream_to_a_subtree_reaches_a_binding_below_with_its_flag_and_its_own_sequence()
    {
        string link = $"sub-{Guid.NewGuid():N}"[..20];
        await using WireClient below = await JoinAsync(link, "below");
        await below.SendAsync(new BindFrame(PortMode.Group, "orders/eu", Subtree: false), correlation: 3);
        Assert.Equal(FrameType.Ok, (await below.ReceiveAsync()).Type);
        await using WireClient publisher = await JoinAsync(link, "publisher");

        // To the port alone: not for the binding below. To its subtree: delivered, numbered from 1 in the subtree's stream.
        await publisher.SendAsync(Stream("orders", subtree: false), correlation: 80);
        Guid first = Guid.CreateVersion7();
        await publisher.SendAsync(Stream("orders", subtree: true, first), correlation: 81);
        Guid second = Guid.CreateVersion7();
        await publisher.SendAsync(Stream("orders", subtree: true, second), correlation: 82);

        StreamFrame one = await below.ReceiveAsync<StreamFrame>();
        StreamFrame two = await below.ReceiveAsync<StreamFrame>();
        Assert.Equal([first, second], [one.PacketId, two.PacketId]);
        Assert.All([one, two], frame => Assert.True(frame.Subtree));
        Assert.All([one, two], frame => Assert.Equal("orders", frame.Port.ToString()));
        Assert.Equal([1UL, 2UL], [one.StreamSequence, two.StreamSequence]);
        await publisher.AssertAliveAsync();
    }

    private async Task<WireClient> JoinAsync(string link, string node)
    {
        WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new JoinFrame(link, node), correlation: 2);
        Assert.Equal(FrameType.Ok, (await client.ReceiveAsync()).Type);
        return client;
    }

    private static StreamFrame Stream(string port, bool subtree, Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), Utf8Text.Empty, port, 1, 0, WantAck: false, subtree, new ReadOnlySequence<byte>("hi"u8.ToArray()));
}
