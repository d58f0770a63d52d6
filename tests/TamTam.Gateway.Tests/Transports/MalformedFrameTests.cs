using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>The numbered errors of docs/protocol.md sections 4 and 8 on the Unix socket and WebSocket, as on TCP.</summary>
[Collection(TransportSiloCollection.Name)]
public sealed class MalformedFrameTests(TransportSiloFixture silo)
{
    public static TheoryData<string> Transports => new() { "unix", "ws" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Bad_magic_gets_100_fatal_and_a_clean_close(string transport)
    {
        await using FramePeer peer = await ConnectAsync(transport);
        await peer.HelloAsync();

        await peer.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 40, body: new byte[8], magic0: (byte)'G'));

        await peer.ExpectErrorAsync(ErrorCode.BadMagic, correlation: 40, fatal: true);
        await peer.ExpectClosedAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_header_announcing_too_large_a_body_gets_103_fatal_and_a_clean_close(string transport)
    {
        await using FramePeer peer = await ConnectAsync(transport);

        await peer.SendRawAsync(RawFrames.Frame((byte)FrameType.Hello, correlation: 43, declaredLength: ProtocolLimits.HandshakeMaxBody + 1));

        await peer.ExpectErrorAsync(ErrorCode.FrameTooLarge, correlation: 43, fatal: true);
        await peer.ExpectClosedAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_unknown_frame_type_gets_110_and_the_session_goes_on(string transport)
    {
        await using FramePeer peer = await ConnectAsync(transport);
        await peer.HelloAsync();

        await peer.SendRawAsync(RawFrames.Frame(0x7E, correlation: 50, body: [1, 2, 3]));

        await peer.ExpectErrorAsync(ErrorCode.UnknownType, correlation: 50, fatal: false);
        await peer.AssertAliveAsync();
    }

    private async Task<FramePeer> ConnectAsync(string transport) => transport switch
    {
        "unix" => await RawSocketPeer.ConnectUnixAsync(silo.SocketPath),
        "ws" => await RawWebSocketPeer.ConnectAsync(silo.Silo.WebSocketUri),
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };
}
