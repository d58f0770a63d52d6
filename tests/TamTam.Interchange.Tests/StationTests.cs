using System.Buffers;
using System.Text;
using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// The station's side of docs/protocol.md section 5.18, against an interchange that speaks it from the server's side: what
/// stays local, what goes upstream, what is claimed or passed, and when an upstream delivery is acknowledged.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class StationTests : IAsyncLifetime
{
    private readonly StandInInterchange _interchange = new();
    private readonly string _data = Stations.NewDataPath("unit");
    private TamTamStation? _station;

    private TamTamStation Station => _station!;

    public async Task InitializeAsync()
    {
        _station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant", "office"], _interchange.Uri));
        await _station.WaitRegisteredAsync(Within.Exchange);
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
    public async Task Station_registers_its_links_and_registers_again_after_the_interchange_drops_it()
    {
        Assert.Equal(["plant", "office"], await _interchange.NextRegistrationAsync());
        _interchange.Drop();
        Assert.Equal(["plant", "office"], await _interchange.NextRegistrationAsync());
    }

    [Fact]
    public async Task Messages_between_hosted_links_stay_in_the_station()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "office", "desk", "inbox");
        await using TamTamClient sender = await Stations.NodeAsync(Station, "plant", "press");
        SendReceipt receipt = await sender.SendAsync("inbox", "hello"u8.ToArray(), new SendOptions { Link = "office" }).Bounded();
        IncomingMessage message = await Stations.NextAsync(receiver);
        Assert.Equal("plant", message.SourceLink);
        await message.AckAsync();
        Assert.True((await receipt.Completion.Bounded()).IsDelivered);
        Assert.True(_interchange.NothingOf<SendFrame>(), "a message between two hosted links went upstream");
    }

    [Fact]
    public async Task Joining_a_link_the_station_does_not_host_is_refused()
    {
        await using TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = Station.TcpUri, Reconnect = ReconnectOptions.Disabled }).Bounded();
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => client.JoinAsync("elsewhere", "n").AsTask().Bounded());
        Assert.Equal(ErrorCode.Forbidden, refused.Code);
    }

    [Fact]
    public async Task Offer_for_a_link_elsewhere_is_passed_with_one_pass_less()
    {
        await _interchange.NextRegistrationAsync();
        var id = Guid.NewGuid();
        await _interchange.SendAsync(new StationOfferFrame(id, "cloud", "faraway", "orders", 3, 5));
        (StationPassFrame pass, _) = await _interchange.ExpectAsync<StationPassFrame>();
        Assert.Equal(id, pass.MessageId);
        Assert.Equal(2, pass.Ttl);
    }

    [Fact]
    public async Task Offer_for_a_hosted_link_is_claimed_and_acknowledged_upstream_only_after_the_local_node_acks()
    {
        await _interchange.NextRegistrationAsync();
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "plant", "press", "orders");
        var id = Guid.NewGuid();
        await _interchange.SendAsync(new StationOfferFrame(id, "cloud", "plant", "orders", 5, 5));
        (StationClaimFrame claim, _) = await _interchange.ExpectAsync<StationClaimFrame>();
        Assert.Equal(id, claim.MessageId);

        await _interchange.SendAsync(new DeliverFrame(id, 7, 1, "cloud", "web", "plant", "orders", 1, 0, false, null,
            new ReadOnlySequence<byte>("order"u8.ToArray())));
        IncomingMessage message = await Stations.NextAsync(receiver);
        Assert.Equal(("cloud", "web", "order"), (message.SourceLink, message.SourceNode, Encoding.UTF8.GetString(message.Payload.Span)));
        Assert.True(_interchange.NothingOf<AckFrame>(), "the station confirmed the delivery before its node did");

        await message.AckAsync();
        (AckFrame ack, _) = await _interchange.ExpectAsync<AckFrame>();
        Assert.Equal((id, 7UL), (ack.MessageId, ack.Sequence));
    }

    [Fact]
    public async Task A_rejected_delivery_is_nacked_upstream_with_its_final_state()
    {
        await _interchange.NextRegistrationAsync();
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "plant", "press", "orders");
        var id = Guid.NewGuid();
        await _interchange.SendAsync(new DeliverFrame(id, 9, 1, "cloud", "web", "plant", "orders", 1, 0, false, null,
            new ReadOnlySequence<byte>("bad"u8.ToArray())));
        IncomingMessage message = await Stations.NextAsync(receiver);
        await message.NackAsync(reason: 42, detail: "malformed");
        (NackFrame nack, _) = await _interchange.ExpectAsync<NackFrame>();
        Assert.Equal((id, 9UL, (ushort)FinalState.Rejected, false), (nack.MessageId, nack.Sequence, nack.Reason, nack.Requeue));
    }

    [Fact]
    public async Task A_message_to_a_link_beyond_the_station_goes_upstream_and_its_status_reaches_the_sender()
    {
        await _interchange.NextRegistrationAsync();
        await using TamTamClient sender = await Stations.NodeAsync(Station, "plant", "press");
        Task<SendReceipt> sending = sender.SendAsync("orders", "up"u8.ToArray(), new SendOptions { Link = "cloud" }).AsTask();

        (SendFrame send, uint correlation) = await _interchange.ExpectAsync<SendFrame>();
        Assert.Equal(("cloud", "orders", "plant", "press"), (send.DestLink.ToString(), send.DestPort.ToString(),
            send.Station?.Link.ToString(), send.Station?.Node.ToString()));
        await _interchange.SendAsync(new AcceptedFrame(send.MessageId, 41, 1, false), correlation);
        SendReceipt receipt = await sending.Bounded();
        Assert.Equal(41UL, receipt.Sequence);

        await _interchange.SendAsync(new StatusFrame(send.MessageId, FinalState.Delivered, 1, 1, 2, "delivered"));
        Assert.True((await receipt.Completion.Bounded()).IsDelivered);
        (StatusAckFrame confirmed, _) = await _interchange.ExpectAsync<StatusAckFrame>();
        Assert.Equal(send.MessageId, confirmed.MessageId);
    }

    [Fact]
    public async Task A_message_beyond_the_station_is_refused_with_501_while_no_interchange_is_connected()
    {
        await _interchange.DisposeAsync();
        await using TamTamClient sender = await Stations.NodeAsync(Station, "plant", "press");
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(async () =>
        {
            // The station notices the lost connection at its next read; until then a SEND may still go out and be answered 501.
            while (true)
            {
                await sender.SendAsync("orders", "up"u8.ToArray(), new SendOptions { Link = "cloud" }).AsTask().Bounded();
            }
        });
        Assert.Equal(ErrorCode.Unavailable, refused.Code);
    }
}
