using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Bench.Workloads.W6;

/// <summary>
/// The smallest well-behaved session: HELLO, WELCOME, then nothing but PONG for each PING the server sends.
/// A raw socket with a 128-byte buffer per session, so that 10,000 of them fit in the bench process beside
/// the silo they measure (a <c>TamTamClient</c> keeps two 64 KiB write buffers).
/// </summary>
internal sealed class IdleSession : IAsyncDisposable
{
    private const int HeaderSize = 16;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[128];
    private readonly byte[] _pong = new byte[HeaderSize + 16];
    private int _pings;

    private IdleSession(Socket socket) => _socket = socket;

    /// <summary>PINGs answered so far.</summary>
    public int Pings => Volatile.Read(ref _pings);

    /// <summary>Why the session ended, or null while it is held.</summary>
    public string? Ended { get; private set; }

    /// <summary>HELLO asking for <paramref name="heartbeatMs"/>, encoded once for every session.</summary>
    public static byte[] Hello(uint heartbeatMs)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameCodec.Encode(output, new HelloFrame(1, 1, 0, heartbeatMs, Utf8Text.From("tamtam-bench/w6"), ReadOnlyMemory<byte>.Empty,
            ReadOnlyMemory<byte>.Empty), 1);
        return output.WrittenSpan.ToArray();
    }

    public static async Task<IdleSession> OpenAsync(IPEndPoint server, byte[] hello, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var session = new IdleSession(socket);
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
            await socket.SendAsync(hello, SocketFlags.None, cancellationToken);
            (FrameType type, _) = await session.ReadFrameAsync(cancellationToken);
            if (type != FrameType.Welcome)
            {
                throw new InvalidOperationException($"expected WELCOME, got {type.WireName()}");
            }

            return session;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Answers PINGs until the server closes the session or <paramref name="cancellationToken"/> fires.</summary>
    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                (FrameType type, int body) = await ReadFrameAsync(cancellationToken);
                if (type == FrameType.Ping)
                {
                    long sentAt = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(HeaderSize, 8));
                    uint correlation = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(12, 4));
                    EncodePong(sentAt, correlation);
                    await _socket.SendAsync(_pong, SocketFlags.None, cancellationToken);
                    Interlocked.Increment(ref _pings);
                }
                else if (type == FrameType.Error)
                {
                    Ended = $"ERROR {BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(HeaderSize, 2))}";
                    return;
                }
                else
                {
                    _ = body;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Held to the end.
        }
        catch (Exception exception) when (exception is SocketException or IOException or InvalidOperationException)
        {
            Ended = exception.Message;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private void EncodePong(long echo, uint correlation)
    {
        var output = new ArrayBufferWriter<byte>(_pong.Length);
        FrameCodec.Encode(output, new PongFrame(echo, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000), correlation);
        output.WrittenSpan.CopyTo(_pong);
    }

    private async Task<(FrameType Type, int Body)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(0, HeaderSize, cancellationToken);
        int body = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(8, 4)));
        var type = (FrameType)_buffer[3];
        int kept = Math.Min(body, _buffer.Length - HeaderSize);
        await ReadExactlyAsync(HeaderSize, kept, cancellationToken);
        for (int skipped = kept; skipped < body;)
        {
            // A frame larger than the buffer (a WELCOME with a long server name): only its head is kept.
            int chunk = Math.Min(body - skipped, _buffer.Length - HeaderSize);
            await ReadExactlyAsync(HeaderSize, chunk, cancellationToken);
            skipped += chunk;
        }

        return (type, body);
    }

    private async Task ReadExactlyAsync(int offset, int count, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < count)
        {
            int n = await _socket.ReceiveAsync(_buffer.AsMemory(offset + read, count - read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException("the server closed the connection");
            }

            read += n;
        }
    }
}
