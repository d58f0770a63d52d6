using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A node on a bare socket that binds a port and then reads only when told to: unlike the client SDK, it can
/// stop reading its connection altogether, as a stalled consumer does.
/// </summary>
internal sealed class RawStreamSubscriber : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private uint _correlation;

    private RawStreamSubscriber(Socket socket)
    {
        _socket = socket;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
    }

    public static async Task<RawStreamSubscriber> BindAsync(Uri uri, string link, string node, string port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(uri.Host, uri.Port).Within();
        var subscriber = new RawStreamSubscriber(socket);
        await subscriber.RequestAsync(new HelloFrame(1, 1, 0, 0, Utf8Text.From("raw-subscriber"), ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
            FrameType.Welcome);
        await subscriber.RequestAsync(new JoinFrame(Utf8Text.From(link), Utf8Text.From(node)), FrameType.Ok);
        await subscriber.RequestAsync(new BindFrame(PortMode.Group, Utf8Text.From(port), Subtree: false), FrameType.Ok);
        return subscriber;
    }

    /// <summary>
    /// Reads STREAM frames until one numbered <paramref name="atLeast"/> or more; returns every sequence read. With
    /// <paramref name="pauseEvery"/>, it waits a millisecond after each that many frames: a node that keeps reading,
    /// slowly.
    /// </summary>
    public async Task<List<ulong>> ReadUntilAsync(ulong atLeast, int pauseEvery = 0)
    {
        var sequences = new List<ulong>();
        while (sequences.Count == 0 || sequences[^1] < atLeast)
        {
            if (pauseEvery > 0 && sequences.Count % pauseEvery == pauseEvery - 1)
            {
                await Task.Delay(1);
            }

            // Other frames (a heartbeat PING) are skipped: a test is over long before the idle limit.
            await ReadFrameAsync(f =>
            {
                if (f.Type == FrameType.Stream)
                {
                    sequences.Add(f.Decode<StreamFrame>().StreamSequence);
                }
            });
        }

        return sequences;
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        _socket.Dispose();
    }

    private async Task RequestAsync<T>(T request, FrameType expected)
        where T : struct, IFrame<T>
    {
        var output = new ArrayBufferWriter<byte>();
        FrameCodec.Encode(output, request, ++_correlation);
        await _socket.SendAsync(output.WrittenMemory, SocketFlags.None).AsTask().Within();
        // A STREAM may come before BIND's OK: a packet published while the binding was made reaches it as soon as the
        // binding holds, and the OK is written after. Such packets were published before the subscriber was bound.
        FrameType type = FrameType.Stream;
        while (type == FrameType.Stream)
        {
            await ReadFrameAsync(f => type = f.Type).Within();
        }

        Assert.Equal(expected, type);
    }

    private async Task ReadFrameAsync(Action<Frame> onFrame)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync().AsTask().Within();
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool read = FrameReader.TryReadFrame(ref buffer, ProtocolLimits.DefaultMaxBody, out Frame frame);
            if (read)
            {
                onFrame(frame);
            }

            if (read)
            {
                // Consumed up to the frame's end, nothing more examined: the next read returns what is buffered at once.
                _input.AdvanceTo(buffer.Start);
                return;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);

            if (result.IsCompleted)
            {
                throw new IOException("the server closed the connection");
            }
        }
    }
}
