using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Streams;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Grains.Streams;
using TamTam.Protocol;
using GrainPacket = TamTam.Interfaces.Streams.StreamPacket;
using WirePacket = TamTam.Client.StreamPacket;

namespace TamTam.EndToEnd.Tests.Streams;

/// <summary>
/// An Orleans client of the cluster (its own host, through the silo's Orleans gateway) publishing and subscribing to a
/// link's port with the tamtam stream provider, beside wire nodes.
/// </summary>
public sealed class OrleansClientStreamTests : IAsyncLifetime
{
    private const int Packets = 100;
    private readonly DataDirectory _data = new();
    private InProcessSilo? _silo;
    private IHost? _client;

    private InProcessSilo Silo => _silo!;

    private IClusterClient Orleans => _client!.Services.GetRequiredService<IClusterClient>();

    public async Task InitializeAsync()
    {
        int gateway = FreePorts.Next();
        _silo = await InProcessSilo.StartAsync(_data.Path, $"--TamTam:Cluster:GatewayPort={gateway.ToString(CultureInfo.InvariantCulture)}");
        _client = new HostBuilder()
            .UseOrleansClient(client => client.UseLocalhostClustering(gateway, "tamtam", "tamtam").AddTamTamStreams())
            .Build();
        await _client.StartAsync().Within(TestTimeout.Batch);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task An_orleans_client_receives_what_a_wire_node_publishes_until_it_unsubscribes()
    {
        string link = Links.Unique("client-sub");
        var received = Channel.CreateUnbounded<GrainPacket>();
        IAsyncStream<GrainPacket> stream = Orleans.GetStreamProvider("tamtam").GetStream<GrainPacket>(StreamId.Create(link, "ticks"));
        StreamSubscriptionHandle<GrainPacket> handle = await stream.SubscribeAsync((packet, _) => received.Writer.WriteAsync(packet).AsTask()).Within();
        await using TamTamClient publisher = await Nodes.JoinAsync(Silo.Uri, link, "publisher");

        for (int i = 0; i < Packets; i++)
        {
            await publisher.PublishAsync("ticks", StreamPackets.Numbered(i), new StreamOptions { Ttl = 4 });
        }

        List<GrainPacket> packets = [];
        while (packets.Count < Packets)
        {
            packets.Add(await received.Reader.ReadAsync().AsTask().Within(TestTimeout.Batch));
        }

        Assert.Equal(Enumerable.Range(0, Packets), packets.Select(p => BitConverter.ToInt32(p.Payload.Span)));
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), packets.Select(p => p.Sequence));
        Assert.All(packets, p => Assert.Equal((link, "ticks", (byte)4), (p.Link, p.Port, p.Ttl)));
        Assert.Single(await stream.GetAllSubscriptionHandles().Within());

        await handle.UnsubscribeAsync().Within();
        Assert.Empty(await stream.GetAllSubscriptionHandles().Within());
    }

    [Fact]
    public async Task A_wire_node_receives_what_an_orleans_client_publishes()
    {
        string link = Links.Unique("client-pub");
        await using TamTamClient subscriber = await Nodes.JoinAsync(Silo.Uri, link, "subscriber");
        await subscriber.BindAsync("ticks", PortMode.Group).Within();
        Task<List<WirePacket>> receiving = StreamPackets.TakeAsync(subscriber, Packets);

        IAsyncStream<GrainPacket> stream = Orleans.GetStreamProvider("tamtam").GetStream<GrainPacket>(StreamId.Create(link, "ticks"));
        for (int i = 0; i < Packets; i++)
        {
            await stream.OnNextAsync(new GrainPacket(StreamPackets.Numbered(i)) { Ttl = 6 });
        }

        List<WirePacket> packets = await receiving.Within(TestTimeout.Batch);
        Assert.Equal(Enumerable.Range(0, Packets), packets.Select(StreamPackets.NumberOf));
        Assert.Equal(Enumerable.Range(1, Packets).Select(s => (ulong)s), packets.Select(p => p.Sequence));
        Assert.All(packets, p => Assert.Equal((byte)6, p.Ttl));
    }
}
