using System.Buffers.Binary;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>Fatal errors: one ERROR with the FATAL flag, then the server closes the connection.</summary>
[Collection(SiloCollection.Name)]
public sealed class FatalErrorTests(SiloFixture silo)
{
    [Fact]
    public async Task Bad_magic_gets_100_fatal_and_the_connection_closes()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
        await client.SendRawAsync(http);

        // The header's correlation field is whatever bytes 12-15 held: ".1\r\n".
        await client.ExpectErrorAsync(ErrorCode.BadMagic, correlation: BinaryPrimitives.ReadUInt32LittleEndian(http.AsSpan(12)), fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task An_unsupported_header_version_gets_101_fatal()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 41, body: new byte[8], version: 2));

        await client.ExpectErrorAsync(ErrorCode.UnsupportedVersion, correlation: 41, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Nonzero_reserved_bytes_get_102_fatal()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame((byte)FrameType.Ping, correlation: 42, body: new byte[8], reserved: 1));

        await client.ExpectErrorAsync(ErrorCode.BadHeader, correlation: 42, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_header_announcing_more_than_the_handshake_maximum_gets_103_fatal_without_its_body()
    {
        await using WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        await client.SendRawAsync(RawFrames.Frame((byte)FrameType.Hello, correlation: 43, declaredLength: ProtocolLimits.HandshakeMaxBody + 1));

        await client.ExpectErrorAsync(ErrorCode.FrameTooLarge, correlation: 43, fatal: true);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_transport_that_ends_inside_a_frame_gets_117_and_is_closed()
    {
        await using WireClient client = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        byte[] ping = FrameCodec.ToArray(new Protocol.Frames.PingFrame(5), correlation: 44);
        await client.SendRawAsync(ping.AsMemory(0, 20));
        client.ShutdownSend();

        await client.ExpectErrorAsync(ErrorCode.Truncated, correlation: 0, fatal: true);
        await client.ExpectClosedAsync();
    }
}
