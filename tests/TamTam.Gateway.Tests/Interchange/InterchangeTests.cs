using System.Buffers;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using static TamTam.Gateway.Tests.Interchange.StationPeer;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// Stations at the interchange as docs/protocol.md section 5.18 describes them, over real sockets against a real silo: a cloud
/// node sends to links nobody joined in the cloud, and raw wire peers act as stations.
/// </summary>
[Collection(InterchangeCollection.Name)]
public sealed class InterchangeTests(InterchangeSiloFixture silo) : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => silo.WaitForNoRoutesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Name(string what) => $"{what}-{_id}";

    [Fact]
    public async Task A_link_registered_by_one_station_is_refused_to_another_and_to_a_link_joined_in_the_cloud()
    {
        await using WireClient first = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("far"));
        await using WireClient second = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await using WireClient node = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        await second.SendAsync(new StationRegisterFrame(Name("b"), [Name("other"), Name("far")]), 5);
        await second.ExpectErrorAsync(ErrorCode.NameTaken, 5, fatal: false);
        await second.SendAsync(new StationRegisterFrame(Name("b"), [Name("cloud")]), 6);
        await second.ExpectErrorAsync(ErrorCode.NameTaken, 6, fatal: false);
        await second.SendAsync(new StationRegisterFrame(Name("a"), [Name("other")]), 7);
        await second.ExpectErrorAsync(ErrorCode.NameTaken, 7, fatal: false);

        // All or nothing: the refused registration left no route behind, and the session may register again.
        await second.ExpectOkAsync(new StationRegisterFrame(Name("b"), [Name("other")]), 8);
        await second.SendAsync(new StationRegisterFrame(Name("b"), [Name("more")]), 9);
        await second.ExpectErrorAsync(ErrorCode.AlreadyJoined, 9, fatal: false);
        await second.SendAsync(new RoutesFrame(), 10);
        RoutesReportFrame routes = await second.ReceiveAsync<RoutesReportFrame>();
        (string, string, RouteLearning)[] listed =
            [.. routes.Routes.Select(r => (r.Link.ToString(), r.Station.ToString(), r.Learned)).OrderBy(r => r.Item1, StringComparer.Ordinal)];
        Assert.Equal([(Name("far"), Name("a"), RouteLearning.Registered), (Name("other"), Name("b"), RouteLearning.Registered)], listed);

        // A JOIN of a link a station hosts is 205.
        await using WireClient intruder = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await intruder.SendAsync(new JoinFrame(Name("far"), "n1"), 11);
        await intruder.ExpectErrorAsync(ErrorCode.NameTaken, 11, fatal: false);
    }

    [Fact]
    public async Task A_message_to_a_registered_link_is_delivered_to_its_station_and_the_ack_becomes_the_senders_status()
    {
        await using WireClient station = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), Name("far"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        SendFrame message = Message(Name("far"), "orders/new", "hello");
        AcceptedFrame accepted = await SendAcceptedAsync(sender, message, 20);

        DeliverFrame delivered = await station.ReceiveAsync<DeliverFrame>();
        Assert.Equal((message.MessageId, accepted.Sequence, Name("far"), "orders/new", Name("cloud"), "n1", 1),
            (delivered.MessageId, delivered.Sequence, delivered.DestLink.ToString(), delivered.DestPort.ToString(), delivered.SrcLink.ToString(),
             delivered.SrcNode.ToString(), (int)delivered.Attempt));
        Assert.Equal("hello"u8.ToArray(), delivered.Payload.ToArray());
        await station.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 21);

        StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
        Assert.Equal((message.MessageId, FinalState.Delivered, 1u, 1u), (status.MessageId, status.State, status.Recipients, status.Confirmed));
    }

    [Fact]
    public async Task A_ring_forwarded_message_is_passed_claimed_and_delivered_then_the_learned_route_carries_the_next_directly()
    {
        // Ring order is byte order of the names: "a…" is offered first, passes, "b…" claims.
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        string bridged = Name("bridged");

        SendFrame first = Message(bridged, "inbox", "one");
        await SendAcceptedAsync(sender, first, 30);

        StationOfferFrame offerA = await a.ReceiveAsync<StationOfferFrame>();
        Assert.Equal((first.MessageId, Name("cloud"), bridged, "inbox", (byte)InterchangeSiloFixture.DefaultTtl, 3ul),
            (offerA.MessageId, offerA.SrcLink.ToString(), offerA.DestLink.ToString(), offerA.DestPort.ToString(), offerA.Ttl, offerA.Size));
        await a.SendAsync(new StationPassFrame(first.MessageId, (byte)(offerA.Ttl - 1)), 31);

        StationOfferFrame offerB = await b.ReceiveAsync<StationOfferFrame>();
        Assert.Equal((first.MessageId, (byte)(offerA.Ttl - 1)), (offerB.MessageId, offerB.Ttl));
        await b.SendAsync(new StationClaimFrame(first.MessageId), 32);
        DeliverFrame delivered = await b.ReceiveAsync<DeliverFrame>();
        Assert.Equal((first.MessageId, bridged), (delivered.MessageId, delivered.DestLink.ToString()));
        await b.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 33);
        Assert.Equal((first.MessageId, FinalState.Delivered), Final(await sender.ReceiveAsync<StatusFrame>()));

        await b.SendAsync(new RoutesFrame(), 34);
        RouteEntry route = Assert.Single((await b.ReceiveAsync<RoutesReportFrame>()).Routes, r => r.Link.ToString() == bridged);
        Assert.Equal((Name("b"), RouteLearning.Claimed), (route.Station.ToString(), route.Learned));

        // The route is known: the next message is DELIVERed to b without an offer to anyone.
        SendFrame second = Message(bridged, "inbox", "two");
        await SendAcceptedAsync(sender, second, 35);
        DeliverFrame direct = await b.ReceiveAsync<DeliverFrame>();
        Assert.Equal(second.MessageId, direct.MessageId);
        await b.SendAsync(new AckFrame(direct.MessageId, direct.Sequence), 36);
        Assert.Equal((second.MessageId, FinalState.Delivered), Final(await sender.ReceiveAsync<StatusFrame>()));
        await a.AssertAliveAsync(); // a was offered nothing more: its next frame is the PONG
    }

    [Fact]
    public async Task A_message_nobody_claims_ends_no_route_after_a_full_turn_and_a_pass_with_a_wrong_ttl_is_refused()
    {
        await using WireClient a = await RegisteredAsync(silo.TcpEndPoint, Name("a"), Name("a-home"));
        await using WireClient b = await RegisteredAsync(silo.TcpEndPoint, Name("b"), Name("b-home"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        SendFrame message = Message(Name("nowhere"), "inbox", "lost");
        await SendAcceptedAsync(sender, message, 40);

        StationOfferFrame offerA = await a.ReceiveAsync<StationOfferFrame>();
        await a.SendAsync(new StationPassFrame(message.MessageId, offerA.Ttl), 41);
        await a.ExpectErrorAsync(ErrorCode.OutOfRange, 41, fatal: false);
        await a.SendAsync(new StationPassFrame(message.MessageId, (byte)(offerA.Ttl - 1)), 42);
        StationOfferFrame offerB = await b.ReceiveAsync<StationOfferFrame>();
        await b.SendAsync(new StationPassFrame(message.MessageId, (byte)(offerB.Ttl - 1)), 43);

        StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
        Assert.Equal((message.MessageId, FinalState.NoRoute), Final(status));

        // The offer is closed: a late claim is 307.
        await a.SendAsync(new StationClaimFrame(message.MessageId), 44);
        await a.ExpectErrorAsync(ErrorCode.UnknownMessage, 44, fatal: false);
    }

    [Fact]
    public async Task A_message_ends_no_route_when_its_ttl_runs_out_before_the_ring_is_done()
    {
        // More stations than passes: the message is offered DefaultTtl times and never to the last station.
        var stations = new List<WireClient>();
        try
        {
            for (int i = 0; i <= InterchangeSiloFixture.DefaultTtl; i++)
            {
                stations.Add(await RegisteredAsync(silo.TcpEndPoint, Name($"s{i}"), Name($"home{i}")));
            }

            await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
            SendFrame message = Message(Name("nowhere"), "inbox", "lost");
            await SendAcceptedAsync(sender, message, 50);
            for (int i = 0; i < InterchangeSiloFixture.DefaultTtl; i++)
            {
                StationOfferFrame offer = await stations[i].ReceiveAsync<StationOfferFrame>();
                Assert.Equal((byte)(InterchangeSiloFixture.DefaultTtl - i), offer.Ttl);
                await stations[i].SendAsync(new StationPassFrame(message.MessageId, (byte)(offer.Ttl - 1)), 51);
            }

            Assert.Equal((message.MessageId, FinalState.NoRoute), Final(await sender.ReceiveAsync<StatusFrame>()));
            await stations[^1].AssertAliveAsync();
        }
        finally
        {
            foreach (WireClient station in stations)
            {
                await station.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task When_a_station_leaves_its_route_is_dropped_and_the_next_message_rings_to_no_route()
    {
        await using WireClient watcher = await RegisteredAsync(silo.TcpEndPoint, Name("z-watcher"), Name("z-home"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        string far = Name("far");
        WireClient edge = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), far);
        SendFrame first = Message(far, "inbox", "one");
        await SendAcceptedAsync(sender, first, 60);
        DeliverFrame delivered = await edge.ReceiveAsync<DeliverFrame>();
        await edge.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 61);
        Assert.Equal((first.MessageId, FinalState.Delivered), Final(await sender.ReceiveAsync<StatusFrame>()));

        await edge.DisposeAsync();
        await WaitUntilAsync(async () => !(await RoutesAsync(watcher)).Contains(far));

        SendFrame second = Message(far, "inbox", "two");
        await SendAcceptedAsync(sender, second, 62);
        StationOfferFrame offer = await watcher.ReceiveAsync<StationOfferFrame>();
        Assert.Equal((second.MessageId, far), (offer.MessageId, offer.DestLink.ToString()));
        await watcher.SendAsync(new StationPassFrame(second.MessageId, (byte)(offer.Ttl - 1)), 63);
        Assert.Equal((second.MessageId, FinalState.NoRoute), Final(await sender.ReceiveAsync<StatusFrame>()));
    }

    [Fact]
    public async Task An_offer_whose_station_disconnects_is_made_again_and_messages_of_a_link_arrive_in_order()
    {
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        string bridged = Name("bridged");
        WireClient gone = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), Name("home-1"));
        SendFrame[] messages = [Message(bridged, "inbox", "1"), Message(bridged, "inbox", "2"), Message(bridged, "inbox", "3")];
        for (int i = 0; i < messages.Length; i++)
        {
            await SendAcceptedAsync(sender, messages[i], (uint)(70 + i));
        }

        // Only the head of the link is offered; its station goes away with the offer open.
        Assert.Equal(messages[0].MessageId, (await gone.ReceiveAsync<StationOfferFrame>()).MessageId);
        await gone.DisposeAsync();

        await using WireClient back = await RegisteredAsync(silo.TcpEndPoint, Name("edge-2"), Name("home-2"));
        StationOfferFrame again = await back.ReceiveAsync<StationOfferFrame>();
        Assert.Equal((messages[0].MessageId, (byte)InterchangeSiloFixture.DefaultTtl), (again.MessageId, again.Ttl));
        await back.SendAsync(new StationClaimFrame(again.MessageId), 80);

        ulong last = 0;
        foreach (SendFrame expected in messages)
        {
            DeliverFrame delivered = await back.ReceiveAsync<DeliverFrame>();
            Assert.Equal(expected.MessageId, delivered.MessageId);
            Assert.True(delivered.Sequence > last);
            last = delivered.Sequence;
            await back.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 81);
        }

        var finals = new HashSet<Guid>();
        for (int i = 0; i < messages.Length; i++)
        {
            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal(FinalState.Delivered, status.State);
            finals.Add(status.MessageId);
        }

        Assert.Equal(messages.Select(m => m.MessageId).ToHashSet(), finals);
    }

    [Fact]
    public async Task A_station_sends_to_a_cloud_node_on_behalf_of_its_link_and_receives_the_status()
    {
        await using WireClient station = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), Name("far"));
        await using WireClient node = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1", port: "inbox");

        // On behalf of a link it did not register: 203; without STATION: 206.
        await station.SendAsync(Message(Name("cloud"), "inbox", "x", new StationSource(Name("other"), "sensor")), 90);
        await station.ExpectErrorAsync(ErrorCode.Forbidden, 90, fatal: false);
        await station.SendAsync(Message(Name("cloud"), "inbox", "x"), 91);
        await station.ExpectErrorAsync(ErrorCode.NotJoined, 91, fatal: false);

        SendFrame message = Message(Name("cloud"), "inbox", "reading", new StationSource(Name("far"), "sensor-7"));
        await SendAcceptedAsync(station, message, 92);
        DeliverFrame delivered = await node.ReceiveAsync<DeliverFrame>();
        Assert.Equal((Name("far"), "sensor-7"), (delivered.SrcLink.ToString(), delivered.SrcNode.ToString()));
        await node.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 93);

        StatusFrame status = await station.ReceiveAsync<StatusFrame>();
        Assert.Equal((message.MessageId, FinalState.Delivered), Final(status));
        await station.SendAsync(new StatusAckFrame(message.MessageId), 94);
        await station.AssertAliveAsync();
    }

    private static (Guid, FinalState) Final(StatusFrame status) => (status.MessageId, status.State);

    private static async Task<HashSet<string>> RoutesAsync(WireClient client)
    {
        await client.SendAsync(new RoutesFrame(), 99);
        RoutesReportFrame report = await client.ReceiveAsync<RoutesReportFrame>();
        return [.. report.Routes.Select(r => r.Link.ToString())];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(FramePeer.Timeout);
        while (!await condition())
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}
