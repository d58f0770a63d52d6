using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>A bare connection that sends HELLO and reads frames; it never closes on its own and reads only when asked.</summary>
internal sealed class RawHelloPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;

    private RawHelloPeer(Socket socket)
    {
        _socket = socket;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
    }

    /// <summary>Connects to <paramref name="uri"/> and sends HELLO; the answer is read by <see cref="ReadAsync"/>.</summary>
    public static async Task<RawHelloPeer> HelloAsync(Uri uri)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(uri.Host, uri.Port).Within();
        var peer = new RawHelloPeer(socket);
        var output = new ArrayBufferWriter<byte>();
        FrameCodec.Encode(output, new HelloFrame(1, 1, 0, 0, Utf8Text.From("raw-hello"), ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty), 1);
        await socket.SendAsync(output.WrittenMemory, SocketFlags.None).AsTask().Within();
        return peer;
    }

    /// <summary>The next frame's type, and its code and FATAL flag when it is an ERROR.</summary>
    public async Task<(FrameType Type, ErrorCode Code, bool Fatal)> ReadAsync()
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync().AsTask().Within();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.DefaultMaxBody, out Frame frame))
            {
                (FrameType, ErrorCode, bool) read = frame.Type == FrameType.Error
                    ? (frame.Type, frame.Decode<ErrorFrame>().Code, frame.Decode<ErrorFrame>().Fatal)
                    : (frame.Type, ErrorCode.None, false);
                _input.AdvanceTo(buffer.Start);
                return read;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("the server closed the connection before a whole frame");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        _socket.Dispose();
    }
}
