using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using static TamTam.Gateway.Tests.Interchange.StationPeer;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// STREAM packets across the interchange (docs/protocol.md section 5.18, "Streams"), over real sockets against a real silo: to
/// the station of a route, round the ring with one pass less per station, not forwarded (and counted) once the ttl is spent, and
/// from a station into the cloud.
/// </summary>
[Collection(InterchangeCollection.Name)]
public sealed class InterchangeStreamTests(InterchangeSiloFixture silo) : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => silo.WaitForNoRoutesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Name(string what) => $"{what}-{_id}";

    private static StreamFrame Packet(string link, string port, byte ttl, string text) =>
        new(Guid.NewGuid(), link, port, ttl, 0, WantAck: false, Subtree: false, new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task A_stream_to_a_registered_link_reaches_its_station_alone_with_one_pass_taken()
    {
        // "a…" comes first in the ring: it must still get nothing, the route goes to "b…".
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("far"));
        await using WireClient publisher = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        StreamFrame sent = Packet(Name("far"), "telemetry", 5, "t1");
        await publisher.SendAsync(sent, 10);

        StreamFrame received = await b.ReceiveAsync<StreamFrame>();
        Assert.Equal((sent.PacketId, Name("far"), "telemetry", (byte)4, 0ul), (received.PacketId, received.Link.ToString(), received.Port.ToString(),
            received.Ttl, received.StreamSequence));
        Assert.Equal("t1"u8.ToArray(), received.Payload.ToArray());
        await a.AssertAliveAsync(); // a was sent nothing: its next frame is the PONG
        await publisher.AssertAliveAsync(); // and the publisher was answered nothing
    }

    [Fact]
    public async Task A_stream_to_an_unknown_link_goes_round_the_ring_one_pass_less_per_station_and_a_cloud_links_stays_in_the_cloud()
    {
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient publisher = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        await using WireClient listener = await NodeAsync(silo.TcpEndPoint, Name("other-cloud"), "n2", "telemetry");

        StreamFrame sent = Packet(Name("nowhere"), "telemetry", 4, "t1");
        await publisher.SendAsync(sent, 20);

        StreamFrame atA = await a.ReceiveAsync<StreamFrame>();
        StreamFrame atB = await b.ReceiveAsync<StreamFrame>();
        Assert.Equal((sent.PacketId, Name("nowhere"), (byte)3, 0ul), (atA.PacketId, atA.Link.ToString(), atA.Ttl, atA.StreamSequence));
        Assert.Equal((sent.PacketId, Name("nowhere"), (byte)2, 0ul), (atB.PacketId, atB.Link.ToString(), atB.Ttl, atB.StreamSequence));

        // A link joined in the cloud keeps its streams: its bound node has the packet, no station does.
        StreamFrame local = Packet(Name("other-cloud"), "telemetry", 4, "t2");
        await publisher.SendAsync(local, 21);
        Assert.Equal(local.PacketId, (await listener.ReceiveAsync<StreamFrame>()).PacketId);
        await a.AssertAliveAsync();
        await b.AssertAliveAsync();
    }

    [Fact]
    public async Task A_ring_copy_whose_ttl_would_reach_zero_is_not_forwarded_and_is_counted()
    {
        using var notForwarded = new InterchangeCounter("tamtam.interchange.streams.not_forwarded");
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient c = await RegisteredAsync(silo.TcpEndPoint, Name("c"), Name("c-home"));
        await using WireClient publisher = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        // ttl 2: the publisher's pass leaves 1, which only the first station of the ring gets.
        StreamFrame sent = Packet(Name("nowhere"), "telemetry", 2, "t1");
        await publisher.SendAsync(sent, 30);

        StreamFrame atA = await a.ReceiveAsync<StreamFrame>();
        Assert.Equal((sent.PacketId, (byte)1), (atA.PacketId, atA.Ttl));
        await notForwarded.WaitForAsync(2);
        await b.AssertAliveAsync();
        await c.AssertAliveAsync();
        await publisher.AssertAliveAsync(); // never an error to the publisher: its packet was taken

        // ttl 1 allows no pass at all: refused to the publisher (305) as for any link but its own (docs/architecture.md).
        await publisher.SendAsync(Packet(Name("nowhere"), "telemetry", 1, "t2"), 31);
        await publisher.ExpectErrorAsync(ErrorCode.Expired, 31, fatal: false);
    }

    [Fact]
    public async Task A_stations_stream_reaches_the_nodes_bound_in_the_cloud_and_another_stations_link_one_pass_each()
    {
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient listener = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1", "telemetry");

        StreamFrame toCloud = Packet(Name("cloud"), "telemetry", 3, "t1");
        await a.SendAsync(toCloud, 40);
        StreamFrame inCloud = await listener.ReceiveAsync<StreamFrame>();
        Assert.Equal((toCloud.PacketId, Name("cloud"), (byte)2), (inCloud.PacketId, inCloud.Link.ToString(), inCloud.Ttl));

        StreamFrame toB = Packet(Name("b-home"), "telemetry", 3, "t2");
        await a.SendAsync(toB, 41);
        StreamFrame atB = await b.ReceiveAsync<StreamFrame>();
        Assert.Equal((toB.PacketId, Name("b-home"), (byte)2, 0ul), (atB.PacketId, atB.Link.ToString(), atB.Ttl, atB.StreamSequence));

        // A station's STREAM names its link, and one that arrives with ttl 1 has no pass left.
        await a.SendAsync(Packet(string.Empty, "telemetry", 3, "t3"), 42);
        await a.ExpectErrorAsync(ErrorCode.NoRoute, 42, fatal: false);
        await a.SendAsync(Packet(Name("cloud"), "telemetry", 1, "t4"), 43);
        await a.ExpectErrorAsync(ErrorCode.Expired, 43, fatal: false);
    }

    /// <summary>The total of one <c>TamTam.Interchange</c> counter of the in-process silo while a test runs.</summary>
    private sealed class InterchangeCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _measurements = new();

        public InterchangeCounter(string instrument)
        {
            _listener.InstrumentPublished = (published, listener) =>
            {
                if (published.Meter.Name == "TamTam.Interchange" && published.Name == instrument)
                {
                    listener.EnableMeasurementEvents(published);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _measurements.Enqueue(value));
            _listener.Start();
        }

        public async Task WaitForAsync(long atLeast)
        {
            using var timeout = new CancellationTokenSource(FramePeer.Timeout);
            while (_measurements.Sum() < atLeast)
            {
                // Measurements arrive on the silo's threads with no event to await: look again shortly.
                await Task.Delay(20, timeout.Token);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
