using System.Buffers;
using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol.Frames;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// The station's side of stream packets (docs/protocol.md section 5.18, "Streams"), against an interchange that speaks it from
/// the server's side: what comes from upstream reaches the local nodes bound to its port, what is for a link elsewhere goes
/// upstream, and what is between hosted links stays.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class StationStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Again = TimeSpan.FromSeconds(1);

    private readonly StandInInterchange _interchange = new();
    private readonly string _data = Stations.NewDataPath("streams-unit");
    private TamTamStation? _station;

    private TamTamStation Station => _station!;

    public async Task InitializeAsync()
    {
        _station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant", "office"], _interchange.Uri));
        await _station.WaitRegisteredAsync(Within.Exchange);
        await _interchange.NextRegistrationAsync();
    }

    public async Task DisposeAsync()
    {
        if (_station is not null)
        {
            await _station.DisposeAsync();
        }

        await _interchange.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_stream_packet_from_upstream_reaches_the_local_nodes_bound_to_its_port()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "plant", "press", "telemetry");
        IAsyncEnumerator<StreamPacket> packets = receiver.ReceiveStreamAsync().GetAsyncEnumerator();
        Task<bool> next = packets.MoveNextAsync().AsTask();
        using var bound = new CancellationTokenSource(Within.Exchange);
        var id = Guid.NewGuid();
        while (true)
        {
            // Streams may lose packets: sent again until one arrives, within the bound.
            await _interchange.SendAsync(new StreamFrame(id, "plant", "telemetry", 3, 0, WantAck: false, Subtree: false,
                new ReadOnlySequence<byte>("up"u8.ToArray())));
            if (await Task.WhenAny(next, Task.Delay(Again, bound.Token)) == next)
            {
                break;
            }

            bound.Token.ThrowIfCancellationRequested();
        }

        Assert.True(await next);
        StreamPacket packet = packets.Current;
        Assert.Equal((id, "plant", "telemetry", (byte)3), (packet.PacketId, packet.Link, packet.Port, packet.Ttl));
    }

    [Fact]
    public async Task A_local_stream_to_a_link_elsewhere_goes_upstream_and_one_between_hosted_links_stays()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "office", "desk", "telemetry");
        await using TamTamClient publisher = await Stations.NodeAsync(Station, "plant", "press");

        await publisher.PublishAsync("telemetry", "out"u8.ToArray(), new StreamOptions { Link = "faraway", Ttl = 5 }).Bounded();
        (StreamFrame upstream, _) = await _interchange.ExpectAsync<StreamFrame>();
        Assert.Equal(("faraway", "telemetry", (byte)4, 0ul), (upstream.Link.ToString(), upstream.Port.ToString(), upstream.Ttl, upstream.StreamSequence));

        await publisher.PublishAsync("telemetry", "in"u8.ToArray(), new StreamOptions { Link = "office" }).Bounded();
        IAsyncEnumerator<StreamPacket> packets = receiver.ReceiveStreamAsync().GetAsyncEnumerator();
        Assert.True(await packets.MoveNextAsync().AsTask().Bounded());
        Assert.Equal("office", packets.Current.Link);
        Assert.True(_interchange.NothingOf<StreamFrame>(), "a stream between two hosted links went upstream");
    }
}
