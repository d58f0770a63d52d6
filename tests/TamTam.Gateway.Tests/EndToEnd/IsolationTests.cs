using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

[Collection(SiloCollection.Name)]
public sealed class IsolationTests(SiloFixture silo)
{
    [Fact]
    public async Task Frames_split_into_single_bytes_are_reassembled()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendByteByByteAsync(FrameCodec.ToArray(WireClient.Hello(), correlation: 51));
        WelcomeFrame welcome = await client.ReceiveAsync<WelcomeFrame>();
        Assert.Equal(1, welcome.Version);

        await client.SendByteByByteAsync(FrameCodec.ToArray(new PingFrame(515), correlation: 52));

        PongFrame pong = await client.ReceiveAsync<PongFrame>();
        Assert.Equal(515, pong.Echo);
    }

    [Fact]
    public async Task A_malformed_session_beside_a_healthy_one_leaves_the_healthy_one_working()
    {
        await using WireClient healthy = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await using WireClient broken = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await healthy.AssertAliveAsync(1);

        await broken.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, body: new byte[8], magic0: 0xFF));
        await healthy.AssertAliveAsync(2);
        await broken.ExpectErrorAsync(ErrorCode.BadMagic, correlation: 0, fatal: true);
        await broken.ExpectClosedAsync();

        await healthy.AssertAliveAsync(3);
    }

    [Fact]
    public async Task Many_concurrent_sessions_are_each_answered()
    {
        const int Sessions = 20;
        var tasks = new Task[Sessions];
        for (int i = 0; i < Sessions; i++)
        {
            uint correlation = (uint)(i + 1);
            tasks[i] = Task.Run(async () =>
            {
                await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
                await client.AssertAliveAsync(correlation);
            });
        }

        await Task.WhenAll(tasks);
    }
}
