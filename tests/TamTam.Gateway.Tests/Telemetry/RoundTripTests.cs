using System.Diagnostics;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Telemetry;

[Collection(SiloCollection.Name)]
public sealed class RoundTripTests(SiloFixture silo)
{
    private static readonly TimeSpan PongDelay = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Nodes_reports_the_round_trip_the_server_measured_to_a_node_that_answers_its_pings()
    {
        string link = $"rtt-{Guid.NewGuid():N}"[..24];
        await using WireClient slow = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint, heartbeatMs: 1000);
        await slow.SendAsync(new JoinFrame(link, "slow"), correlation: 2);
        Assert.Equal(FrameType.Ok, (await slow.ReceiveAsync()).Type);

        // The server's heartbeat PING, answered after a delay: a round trip of at least that delay.
        ReceivedFrame ping = await slow.ReceiveAsync();
        Assert.Equal(FrameType.Ping, ping.Type);
        await Task.Delay(PongDelay);
        await slow.SendAsync(new PongFrame(ping.Decode<PingFrame>().SentAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000), ping.Correlation);

        await using WireClient asker = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        NodeEntry entry = await NodeWithRoundTripAsync(asker, link, "slow");

        Assert.True(entry.Online);
        Assert.InRange(entry.RttUs, (uint)PongDelay.TotalMicroseconds, (uint)FramePeer.Timeout.TotalMicroseconds);
    }

    // The gateway tells the link one-way, so a NODES right after the PONG may come first; asked again until then.
    private static async Task<NodeEntry> NodeWithRoundTripAsync(WireClient asker, string link, string node)
    {
        var waited = Stopwatch.StartNew();
        for (uint correlation = 10; ; correlation++)
        {
            await asker.SendAsync(new NodesFrame(link), correlation);
            NodeEntry entry = Assert.Single((await asker.ReceiveAsync<NodesReportFrame>()).Nodes, n => n.Node.ToString() == node);
            if (entry.RttUs != 0 || waited.Elapsed > FramePeer.Timeout)
            {
                return entry;
            }

            await Task.Delay(20);
        }
    }
}
