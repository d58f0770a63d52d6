using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>Frame errors (docs/protocol.md, section 4): answered with the frame's correlation, the session goes on.</summary>
[Collection(SiloCollection.Name)]
public sealed class FrameErrorTests(SiloFixture silo)
{
    [Fact]
    public async Task An_unknown_type_gets_110_and_the_session_keeps_working()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame(0x7F, correlation: 31, body: [1, 2, 3, 4, 5]));

        await client.ExpectErrorAsync(ErrorCode.UnknownType, correlation: 31, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_send_before_join_gets_206_not_joined_and_the_session_goes_on()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        var send = new SendFrame(Guid.NewGuid(), "", "orders/new", 0, false, null, null, new ReadOnlySequence<byte>([1, 2, 3]));
        await client.SendAsync(send, correlation: 32);

        await client.ExpectErrorAsync(ErrorCode.NotJoined, correlation: 32, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_join_of_a_name_another_live_session_holds_gets_205_and_the_session_goes_on()
    {
        await using WireClient first = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await using WireClient second = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await first.SendAsync(new JoinFrame("frame-errors", "node-1"), correlation: 32);
        await first.ReceiveAsync<OkFrame>();

        await second.SendAsync(new JoinFrame("frame-errors", "node-1"), correlation: 33);

        await second.ExpectErrorAsync(ErrorCode.NameTaken, correlation: 33, fatal: false);
        await second.AssertAliveAsync();
    }

    [Fact]
    public async Task Nodes_of_the_own_link_before_join_gets_206_and_links_is_answered_before_join()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new NodesFrame(""), correlation: 34);
        await client.SendAsync(new LinksFrame(), correlation: 35);

        await client.ExpectErrorAsync(ErrorCode.NotJoined, correlation: 34, fatal: false);
        ReceivedFrame links = await client.ReceiveAsync();
        Assert.Equal((FrameType.LinksReport, 35u), (links.Type, links.Correlation));
    }

    [Fact]
    public async Task A_frame_is_checked_field_by_field_before_it_is_refused()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        byte[] badName = [1, (byte)'a', 1, (byte)':'];
        await client.SendRawAsync(RawFrames.Frame(FrameType.Join, correlation: 36, body: badName));

        await client.ExpectErrorAsync(ErrorCode.InvalidName, correlation: 36, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task Undefined_flag_bits_get_115()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame(FrameType.Ping, correlation: 37, body: new byte[8], flags: 0x0001));

        await client.ExpectErrorAsync(ErrorCode.BadFlags, correlation: 37, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_body_shorter_than_its_fields_gets_111()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame(FrameType.Ping, correlation: 38, body: new byte[7]));

        await client.ExpectErrorAsync(ErrorCode.BadLength, correlation: 38, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_frame_only_a_server_sends_gets_116()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new OkFrame(), correlation: 39);

        await client.ExpectErrorAsync(ErrorCode.UnexpectedFrame, correlation: 39, fatal: false);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task An_error_from_the_client_is_accepted_without_an_answer()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendAsync(new ErrorFrame(ErrorCode.Internal, "client trouble", Fatal: false), correlation: 40);

        await client.AssertAliveAsync();
    }
}
