using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// Stream packets between the cloud (a silo process) and a node behind a station (docs/protocol.md section 5.18, "Streams"):
/// each way, one pass less per interchange crossing, never stored.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class StreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Republish = TimeSpan.FromSeconds(1);

    private readonly string _data = Stations.NewDataPath("streams");
    private CloudSilo? _cloud;
    private TamTamStation? _station;

    public async Task InitializeAsync()
    {
        _cloud = await CloudSilo.StartAsync();
        _station = await TamTamStation.StartAsync(Stations.Options("edge", _data, ["site"], _cloud.Uri));
        await _station.WaitRegisteredAsync(Within.Exchange);
    }

    public async Task DisposeAsync()
    {
        if (_station is not null)
        {
            await _station.DisposeAsync();
        }

        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_cloud_node_streams_to_a_node_behind_a_station_and_that_node_streams_back()
    {
        await using TamTamClient cloud = await Stations.NodeAsync(_cloud!.Uri, "cloud", "web", "back");
        await using TamTamClient probe = await Stations.NodeAsync(_station!, "site", "probe", "telemetry");

        // ttl 4: the cloud gateway's pass to link "site" leaves 3, which the station's node receives.
        StreamPacket there = await PublishUntilReceivedAsync(cloud, probe, "telemetry", new StreamOptions { Link = "site", Ttl = 4 });
        Assert.Equal(("site", "telemetry", (byte)3, "ping"), (there.Link, there.Port, there.Ttl, System.Text.Encoding.UTF8.GetString(there.Payload.Span)));

        // Back: the station's own pass to link "cloud" leaves 3, the interchange's pass into the cloud 2.
        StreamPacket back = await PublishUntilReceivedAsync(probe, cloud, "back", new StreamOptions { Link = "cloud", Ttl = 4 });
        Assert.Equal(("cloud", "back", (byte)2), (back.Link, back.Port, back.Ttl));
    }

    /// <summary>
    /// Publishes a packet each <see cref="Republish"/> until <paramref name="receiver"/> has one: streams may lose packets,
    /// and the first ones of a stream may go out before the way to a new receiver is known.
    /// </summary>
    private static async Task<StreamPacket> PublishUntilReceivedAsync(TamTamClient publisher, TamTamClient receiver, string port, StreamOptions options)
    {
        // Not disposed: an enumerator still waiting when the bound fires cannot be, and its timeout is the failure to report.
        IAsyncEnumerator<StreamPacket> packets = receiver.ReceiveStreamAsync().GetAsyncEnumerator();
        Task<bool> next = packets.MoveNextAsync().AsTask();
        using var bound = new CancellationTokenSource(Within.Exchange);
        while (true)
        {
            await publisher.PublishAsync(port, "ping"u8.ToArray(), options).Bounded();
            Task done = await Task.WhenAny(next, Task.Delay(Republish, bound.Token));
            bound.Token.ThrowIfCancellationRequested();
            if (done == next)
            {
                Assert.True(await next, "the receiver's connection ended before a packet came");
                return packets.Current;
            }

            Assert.Equal(0L, publisher.StreamRefusals);
        }
    }
}
