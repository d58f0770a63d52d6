using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using static TamTam.Gateway.Tests.Interchange.StationPeer;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// The <c>ring-first</c> policy (<c>TamTam:Interchange:Policy</c>, docs/architecture.md "Interchange"): every roaming message
/// rings, even to a link whose route is known, and a claim still records the route for ROUTES. The default policy is what
/// <see cref="InterchangeTests"/> pins down.
/// </summary>
[Collection(RingFirstCollection.Name)]
public sealed class RingFirstTests(RingFirstSiloFixture silo) : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => silo.WaitForNoRoutesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Name(string what) => $"{what}-{_id}";

    [Fact]
    public async Task Under_ring_first_a_claimed_route_is_recorded_but_the_next_message_rings_again()
    {
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        string bridged = Name("bridged");

        await RingToBAsync(a, b, sender, Message(bridged, "inbox", "one"), 30);
        await b.SendAsync(new RoutesFrame(), 40);
        RouteEntry route = Assert.Single((await b.ReceiveAsync<RoutesReportFrame>()).Routes, r => r.Link.ToString() == bridged);
        Assert.Equal((Name("b"), RouteLearning.Claimed), (route.Station.ToString(), route.Learned));

        // The route is known, and still the next message is offered to a first.
        await RingToBAsync(a, b, sender, Message(bridged, "inbox", "two"), 50);
    }

    [Fact]
    public async Task Under_ring_first_a_message_to_a_registered_link_rings_to_its_station()
    {
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        await RingToBAsync(a, b, sender, Message(Name("b-home"), "inbox", "registered"), 30);
    }

    /// <summary>
    /// <paramref name="message"/> is offered to a, which passes, then to b, which claims: only then is it DELIVERed to b, and b's
    /// ACK is the sender's DELIVERED.
    /// </summary>
    private static async Task RingToBAsync(WireClient a, WireClient b, WireClient sender, SendFrame message, uint correlation)
    {
        await SendAcceptedAsync(sender, message, correlation);
        StationOfferFrame offerA = await a.ReceiveAsync<StationOfferFrame>();
        Assert.Equal(message.MessageId, offerA.MessageId);
        await a.SendAsync(new StationPassFrame(message.MessageId, (byte)(offerA.Ttl - 1)), correlation + 1);

        StationOfferFrame offerB = await b.ReceiveAsync<StationOfferFrame>();
        Assert.Equal(message.MessageId, offerB.MessageId);
        await b.SendAsync(new StationClaimFrame(message.MessageId), correlation + 2);
        DeliverFrame delivered = await b.ReceiveAsync<DeliverFrame>();
        Assert.Equal(message.MessageId, delivered.MessageId);
        await b.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), correlation + 3);
        StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
        Assert.Equal((message.MessageId, FinalState.Delivered), (status.MessageId, status.State));
    }
}

/// <summary>An interchange silo of its own whose policy is <c>ring-first</c>.</summary>
public sealed class RingFirstSiloFixture : InterchangeSiloFixture
{
    protected override string[] Settings => ["--TamTam:Interchange:Policy=ring-first"];
}

[CollectionDefinition(Name)]
public sealed class RingFirstCollection : ICollectionFixture<RingFirstSiloFixture>
{
    public const string Name = "interchange ring-first";
}
