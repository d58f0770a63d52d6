using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// Per-connection limits over a real TLS socket: the frame rate (208, the frame discarded), unconfirmed SENDs
/// (209), the frame size (103, fatal), and a broken session beside a healthy one.
/// </summary>
[Collection(SecureSiloCollection.Name)]
public sealed class ConnectionLimitTests(SecureSiloFixture silo)
{
    [Fact]
    public async Task Frames_beyond_the_rate_get_208_each_are_discarded_and_the_session_goes_on()
    {
        const int Pings = SecureSiloFixture.MaxFramesPerSecond * 3;
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("billing"));

        var burst = new ArrayBufferWriter<byte>();
        for (uint i = 1; i <= Pings; i++)
        {
            FrameCodec.Encode(burst, new PingFrame(i), correlation: i);
        }

        await client.SendRawAsync(burst.WrittenMemory);

        // Every PING is answered exactly once: a PONG while the bucket lasts, then ERROR 208 (not fatal) for the rest.
        var answered = new HashSet<uint>();
        int pongs = 0, limited = 0;
        while (answered.Count < Pings)
        {
            ReceivedFrame frame = await client.ReceiveAsync();
            if (frame.Type == FrameType.Ping)
            {
                continue;
            }

            Assert.True(answered.Add(frame.Correlation), $"correlation {frame.Correlation} answered twice");
            if (frame.Type == FrameType.Pong)
            {
                Assert.Equal((long)frame.Correlation, frame.Decode<PongFrame>().Echo);
                pongs++;
            }
            else
            {
                ErrorFrame error = frame.Decode<ErrorFrame>();
                Assert.Equal((ErrorCode.RateLimited, false), (error.Code, error.Fatal));
                limited++;
            }
        }

        // The bucket holds one second's worth; refilling during the few milliseconds of this burst adds a handful.
        Assert.InRange(pongs, SecureSiloFixture.MaxFramesPerSecond, SecureSiloFixture.MaxFramesPerSecond * 2);
        Assert.Equal(Pings - pongs, limited);
    }

    [Fact]
    public async Task Sends_beyond_max_inflight_in_one_read_get_209_and_the_others_are_accepted()
    {
        const int Sends = SecureSiloFixture.MaxInflight + 6;
        string link = $"inflight-{Guid.NewGuid():N}"[..24];
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token(link, bind: ["in"], send: ["in"]));
        await client.SendAsync(new JoinFrame(link, "n"), correlation: 1);
        await client.ExpectOkAsync(1);
        await client.SendAsync(new BindFrame(PortMode.Unicast, "in", Subtree: false), correlation: 2);
        await client.ExpectOkAsync(2);

        // One TLS record: one read, one batch. The SENDs of a batch are unconfirmed until the batch is answered.
        var batch = new ArrayBufferWriter<byte>();
        for (uint i = 0; i < Sends; i++)
        {
            FrameCodec.Encode(batch, new SendFrame(Guid.CreateVersion7(), "", "in", 0, false, null, null, new ReadOnlySequence<byte>([1])), correlation: 100 + i);
        }

        await client.SendRawAsync(batch.WrittenMemory);

        var accepted = new List<uint>();
        var refused = new List<uint>();
        for (uint i = 0; i < Sends; i++)
        {
            ReceivedFrame reply = await client.ReceiveReplyAsync(100 + i);
            if (reply.Type == FrameType.Accepted)
            {
                accepted.Add(reply.Correlation);
            }
            else
            {
                ErrorFrame error = reply.Decode<ErrorFrame>();
                Assert.Equal((ErrorCode.TooManyInFlight, false), (error.Code, error.Fatal));
                refused.Add(reply.Correlation);
            }
        }

        Assert.Equal([100u, 101u, 102u, 103u], accepted);
        Assert.Equal(Sends - SecureSiloFixture.MaxInflight, refused.Count);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_frame_over_the_negotiated_maximum_is_fatal_103_over_tls()
    {
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("billing"));

        await client.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 9, declaredLength: ProtocolLimits.DefaultMaxBody + 1));

        await client.ExpectErrorAsync(ErrorCode.FrameTooLarge, correlation: 9, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_malformed_session_beside_a_healthy_one_gets_error_and_a_clean_close_and_the_healthy_one_goes_on()
    {
        await using TlsWireClient healthy = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("billing"));
        await using TlsWireClient broken = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("billing"));
        await healthy.AssertAliveAsync(1);

        // A frame error first (the session goes on), then broken framing (fatal).
        await broken.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 5, body: new byte[3]));
        await broken.ExpectErrorAsync(ErrorCode.BadLength, correlation: 5, fatal: false);
        await broken.AssertAliveAsync(6);
        await broken.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, body: new byte[8], magic0: 0xFF));

        await healthy.AssertAliveAsync(2);
        await broken.ExpectErrorAsync(ErrorCode.BadMagic, correlation: 0, fatal: true);
        await broken.ExpectClosedAsync();
        await healthy.AssertAliveAsync(3);
    }
}
