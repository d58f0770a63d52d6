using System.Diagnostics;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Telemetry;

[Collection(SiloCollection.Name)]
public sealed class RoundTripTests(SiloFixture silo)
{
    private static readonly TimeSpan PongDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Nodes_reports_the_round_trip_the_server_measured_to_a_node_that_answers_its_pings()
    {
        string link = $"rtt-{Guid.NewGuid():N}"[..24];
        await using WireClient slow = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint, heartbeatMs: 1000);
        await slow.SendAsync(new JoinFrame(link, "slow"), correlation: 2);

        // The server's heartbeat PINGs, each answered after a delay: a round trip of at least that delay. Answered all
        // along, so that the node stays online (three heartbeats without a frame would close its connection). The
        // JOIN's OK, which a PING may precede, is read there too; NODES listing the node shows the JOIN took.
        using var stop = new CancellationTokenSource();
        Task answering = AnswerPingsAsync(slow, stop.Token);
        try
        {
            await using WireClient asker = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
            NodeEntry entry = await NodeWithRoundTripAsync(asker, link, "slow");

            Assert.True(entry.Online);
            // At least the delay, less what a timer may fire early by (it counts whole milliseconds of a coarse clock).
            Assert.InRange(entry.RttUs, (uint)(PongDelay - TimerSlack).TotalMicroseconds, (uint)FramePeer.Timeout.TotalMicroseconds);
        }
        finally
        {
            // The loop ends at the next frame (a PING comes every second), before the connection is disposed.
            await stop.CancelAsync();
            await answering;
        }
    }

    /// <summary>Answers every PING after <see cref="PongDelay"/>, until <paramref name="stop"/> is seen at the next frame.</summary>
    private static async Task AnswerPingsAsync(WireClient client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            ReceivedFrame frame = await client.ReceiveAsync();
            if (frame.Type == FrameType.Ping && !stop.IsCancellationRequested)
            {
                await Task.Delay(PongDelay, CancellationToken.None);
                await client.SendAsync(new PongFrame(frame.Decode<PingFrame>().SentAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000),
                    frame.Correlation);
            }
        }
    }

    // The gateway tells the link one-way, so a NODES right after the PONG may come first; asked again until then.
    private static async Task<NodeEntry> NodeWithRoundTripAsync(WireClient asker, string link, string node)
    {
        var waited = Stopwatch.StartNew();
        for (uint correlation = 10; ; correlation++)
        {
            await asker.SendAsync(new NodesFrame(link), correlation);
            // Not listed before its JOIN has taken; listed with 0 until the first PONG is reported.
            NodeEntry? entry = (await asker.ReceiveAsync<NodesReportFrame>()).Nodes.FirstOrDefault(n => n.Node.ToString() == node);
            if (entry is { RttUs: not 0 } || waited.Elapsed > FramePeer.Timeout)
            {
                return entry ?? throw new InvalidOperationException($"{node} was never listed in {link}");
            }

            await Task.Delay(20);
        }
    }
}
