using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Testing.Interchange;

/// <summary>
/// A station as a raw wire peer (docs/protocol.md section 5.18): a welcomed connection that sent STATION_REGISTER and had its
/// OK, and answers nothing unless told (an offer it receives stays open). Disposing it closes the connection, and the
/// interchange drops the station and its routes.
/// </summary>
internal sealed class RawStation : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _tcp;
    private readonly PipeReader _input;

    private RawStation(TcpClient tcp)
    {
        _tcp = tcp;
        _input = PipeReader.Create(tcp.GetStream());
    }

    /// <summary>Connects to <paramref name="uri"/> and registers <paramref name="station"/> hosting <paramref name="links"/>.</summary>
    public static async Task<RawStation> RegisterAsync(Uri uri, string station, params string[] links)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var timeout = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        var peer = new RawStation(tcp);
        await peer.SendAsync(new HelloFrame(1, 1, 0, 0, "tamtam-dashboard-tests/1", ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty), 1);
        await peer.ExpectAsync(FrameType.Welcome);
        await peer.SendAsync(new StationRegisterFrame(station, [.. links.Select(l => (Utf8Text)l)]), 2);
        await peer.ExpectAsync(FrameType.Ok);
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        _tcp.Dispose();
    }

    private async Task SendAsync<T>(T frame, uint correlation)
        where T : struct, IFrame<T>
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _tcp.GetStream().WriteAsync(FrameCodec.ToArray(frame, correlation), timeout.Token);
    }

    /// <summary>Reads frames until one comes; it must be of <paramref name="type"/> (an ERROR's message is in the failure).</summary>
    public async Task ExpectAsync(FrameType type)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            ReadResult result = await _input.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                FrameType received = frame.Header.Type;
                string detail = received == FrameType.Error ? frame.Decode<ErrorFrame>().Message.ToString() : string.Empty;
                _input.AdvanceTo(buffer.Start);
                Assert.True(received == type, $"expected {type.WireName()}, got {received.WireName()} {detail}");
                return;
            }

            Assert.False(result.IsCompleted, "the interchange closed the station's connection");
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
