using System.Buffers;
using System.Net;
using System.Net.Sockets;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Station.Internal;

namespace TamTam.Interchange.Tests;

/// <summary>
/// A station's connection to an interchange writes through one queue: frames written while a write is in flight leave
/// together in the next one, whole and in the order of the calls, and once a write fails every write fails.
/// </summary>
public sealed class UpstreamConnectionTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public Task InitializeAsync()
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Frames_written_without_waiting_arrive_whole_and_in_call_order()
    {
        const int Frames = 5_000;
        Task<Socket> accepting = _listener.AcceptSocketAsync();
        await using UpstreamConnection connection = await UpstreamConnection.ConnectAsync(Endpoint, CancellationToken.None);
        using Socket server = await accepting.WaitAsync(TimeSpan.FromSeconds(10));

        // Written from two threads at once, each in its own order; every call's task completes once its frame is out.
        var ids = new Guid[Frames];
        var writes = new Task[Frames];
        Parallel.For(0, 2, half =>
        {
            for (int i = half; i < Frames; i += 2)
            {
                ids[i] = Guid.NewGuid();
                writes[i] = connection.WriteAsync(new AckFrame(ids[i], (ulong)i), (uint)(i + 1), CancellationToken.None);
            }
        });
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));

        List<(AckFrame Ack, uint Correlation)> read = await ReadAsync(server, Frames);
        Assert.Equal(Frames, read.Count);
        Assert.All(read, r => Assert.Equal(ids[(int)r.Ack.Sequence], r.Ack.MessageId));
        Assert.All(read, r => Assert.Equal(r.Ack.Sequence + 1, r.Correlation));

        // Each thread's frames in the order it wrote them.
        foreach (int half in new[] { 0, 1 })
        {
            ulong[] sequences = [.. read.Select(r => r.Ack.Sequence).Where(s => (int)s % 2 == half)];
            Assert.Equal(sequences.Order(), sequences);
        }
    }

    [Fact]
    public async Task Once_a_write_fails_every_later_write_fails()
    {
        Task<Socket> accepting = _listener.AcceptSocketAsync();
        await using UpstreamConnection connection = await UpstreamConnection.ConnectAsync(Endpoint, CancellationToken.None);
        using (Socket server = await accepting.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            server.LingerState = new LingerOption(true, 0); // a reset, so the station's writes fail rather than vanish
        }

        Exception? failure = null;
        for (int i = 0; i < 1_000 && failure is null; i++)
        {
            try
            {
                await connection.WriteAsync(new AckFrame(Guid.NewGuid(), 1), 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                await Task.Delay(10);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                failure = e;
            }
        }

        Assert.NotNull(failure);
        Task later = connection.WriteAsync(new AckFrame(Guid.NewGuid(), 2), 2, CancellationToken.None);
        Assert.True(later.IsFaulted);
        Assert.IsType<IOException>(later.Exception!.InnerException);
    }

    private Uri Endpoint => new($"tamtam://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private static async Task<List<(AckFrame, uint)>> ReadAsync(Socket server, int frames)
    {
        var received = new List<(AckFrame, uint)>();
        var bytes = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received.Count < frames)
        {
            int n = await server.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            bytes.Write(chunk.AsSpan(0, n));
            var buffer = new ReadOnlySequence<byte>(bytes.WrittenMemory);
            received.Clear();
            while (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.DefaultMaxBody, out Frame frame))
            {
                Assert.Equal(FrameType.Ack, frame.Type);
                received.Add((frame.Decode<AckFrame>(), frame.Correlation));
            }
        }

        return received;
    }
}
