using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

[Collection(SiloCollection.Name)]
public sealed class ConnectionFrameTests(SiloFixture silo)
{
    private static readonly string[] HealthKeys =
    [
        "silo.uptime_ms", "silo.sessions", "silo.messages_in", "silo.messages_out", "silo.errors",
        "session.uptime_ms", "session.messages_in", "session.messages_out", "session.errors", "session.rtt_us",
    ];

    [Fact]
    public async Task Ping_is_answered_with_a_pong_that_echoes_sent_at_and_carries_the_server_clock()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        long before = NowMicroseconds();
        await client.SendAsync(new PingFrame(987_654_321), correlation: 21);

        ReceivedFrame frame = await client.ReceiveAsync();

        Assert.Equal(FrameType.Pong, frame.Type);
        Assert.Equal(21u, frame.Correlation);
        PongFrame pong = frame.Decode<PongFrame>();
        Assert.Equal(987_654_321, pong.Echo);
        Assert.InRange(pong.SentAt, before - 1_000_000, NowMicroseconds() + 1_000_000);
    }

    [Fact]
    public async Task Health_is_answered_with_every_documented_figure_counting_this_session()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new HealthFrame(), correlation: 22);

        ReceivedFrame frame = await client.ReceiveAsync();

        Assert.Equal(FrameType.HealthReport, frame.Type);
        Assert.Equal(22u, frame.Correlation);
        HealthReportFrame report = frame.Decode<HealthReportFrame>();
        Assert.Equal(HealthState.Healthy, report.State);
        var figures = report.Figures.ToDictionary(f => f.Key.ToString(), f => f.Value);
        Assert.All(HealthKeys, key => Assert.True(figures.ContainsKey(key), $"missing {key}"));
        Assert.True(figures["silo.sessions"] >= 1);
        Assert.True(figures["silo.messages_in"] >= 2);
        Assert.True(figures["silo.uptime_ms"] >= 0);
        Assert.Equal(2, figures["session.messages_in"]);
        Assert.Equal(1, figures["session.messages_out"]);
        Assert.Equal(0, figures["session.errors"]);
        Assert.Equal(-1, figures["session.rtt_us"]);
    }

    [Fact]
    public async Task Errors_sent_to_a_session_are_counted_in_its_health_report()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame(0x7E, correlation: 23));
        await client.ExpectErrorAsync(ErrorCode.UnknownType, correlation: 23, fatal: false);

        await client.SendAsync(new HealthFrame(), correlation: 24);
        HealthReportFrame report = await client.ReceiveAsync<HealthReportFrame>();

        Assert.Contains(report.Figures, f => f.Key.ToString() == "session.errors" && f.Value == 1);
    }

    [Fact]
    public async Task The_server_pings_at_the_requested_heartbeat_and_the_pong_gives_the_round_trip()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await client.HelloAsync(heartbeatMs: 1_000);
        Assert.Equal(1_000u, welcome.HeartbeatMs);

        ReceivedFrame ping = await client.ReceiveAsync();
        Assert.Equal(FrameType.Ping, ping.Type);
        Assert.NotEqual(0u, ping.Correlation);
        await client.SendAsync(new PongFrame(ping.Decode<PingFrame>().SentAt, NowMicroseconds()), ping.Correlation);
        await client.SendAsync(new HealthFrame(), correlation: 25);

        HealthReportFrame report = await ReceiveSkippingPingsAsync<HealthReportFrame>(client);
        long rtt = report.Figures.Single(f => f.Key.ToString() == "session.rtt_us").Value;
        Assert.InRange(rtt, 0, 5_000_000);
    }

    [Fact]
    public async Task A_session_that_receives_nothing_for_three_heartbeats_is_closed_with_210()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        WelcomeFrame welcome = await client.HelloAsync(heartbeatMs: 1_000);
        Assert.Equal(1_000u, welcome.HeartbeatMs);
        long welcomedAt = Environment.TickCount64;

        ReceivedFrame frame;
        do
        {
            frame = await client.ReceiveAsync();
        }
        while (frame.Type == FrameType.Ping);

        Assert.Equal(FrameType.Error, frame.Type);
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal(ErrorCode.IdleTimeout, error.Code);
        Assert.True(error.Fatal);
        Assert.InRange(Environment.TickCount64 - welcomedAt, 3_000 - 50, 5_000);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_heartbeat_request_below_one_second_is_raised_to_one_second_so_the_idle_close_never_comes_before_three()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);

        WelcomeFrame welcome = await client.HelloAsync(heartbeatMs: 1);

        Assert.Equal(1_000u, welcome.HeartbeatMs);
    }

    [Fact]
    public async Task A_heartbeat_slower_than_the_servers_is_lowered_to_the_servers()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);

        WelcomeFrame welcome = await client.HelloAsync(heartbeatMs: 3_600_000);

        Assert.Equal(30_000u, welcome.HeartbeatMs);
    }

    [Fact]
    public async Task Pipelined_pings_are_all_answered_in_order()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        var batch = new List<byte>();
        for (uint i = 1; i <= 100; i++)
        {
            batch.AddRange(FrameCodec.ToArray(new PingFrame(i), correlation: i));
        }

        await client.SendRawAsync(batch.ToArray());

        for (uint i = 1; i <= 100; i++)
        {
            ReceivedFrame pong = await client.ReceiveAsync();
            Assert.Equal(FrameType.Pong, pong.Type);
            Assert.Equal(i, pong.Correlation);
            Assert.Equal(i, pong.Decode<PongFrame>().Echo);
        }
    }

    private static async Task<T> ReceiveSkippingPingsAsync<T>(WireClient client)
        where T : struct, IFrame<T>
    {
        while (true)
        {
            ReceivedFrame frame = await client.ReceiveAsync();
            if (frame.Type == FrameType.Ping)
            {
                await client.SendAsync(new PongFrame(frame.Decode<PingFrame>().SentAt, NowMicroseconds()), frame.Correlation);
                continue;
            }

            Assert.Equal(T.Type, frame.Type);
            return frame.Decode<T>();
        }
    }

    private static long NowMicroseconds() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
