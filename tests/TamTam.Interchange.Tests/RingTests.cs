using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Station;
using TamTam.Testing.Interchange;

namespace TamTam.Interchange.Tests;

/// <summary>
/// The cloud interchange (a silo process) and three stations in a ring, <c>st-1</c> &lt; <c>st-2</c> &lt; <c>st-3</c>, each
/// hosting <c>site-k</c> without registering it, so the interchange finds the sites through the ring.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class RingTests : IAsyncLifetime
{
    private readonly string _data = Stations.NewDataPath("ring");
    private readonly TamTamStation?[] _stations = new TamTamStation?[3];
    private CloudSilo? _cloud;

    private CloudSilo Cloud => _cloud!;

    public async Task InitializeAsync()
    {
        _cloud = await CloudSilo.StartAsync();
        for (int k = 0; k < 3; k++)
        {
            _stations[k] = await StartStationAsync(k);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (TamTamStation? station in _stations)
        {
            if (station is not null)
            {
                await station.DisposeAsync();
            }
        }

        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_message_to_the_third_station_s_link_rings_is_claimed_acknowledged_and_the_next_goes_direct()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(_stations[2]!, "site-3", "press", "orders");
        await using TamTamClient sender = await CloudNodeAsync("web");

        SendReceipt first = await sender.SendAsync("orders", "first"u8.ToArray(), new SendOptions { Link = "site-3" }).Bounded();
        IncomingMessage message = await Stations.NextAsync(receiver);
        Assert.Equal(("web", "first"), (message.SourceNode, System.Text.Encoding.UTF8.GetString(message.Payload.Span)));
        await message.AckAsync();
        Assert.Equal(FinalState.Delivered, (await first.Completion.Bounded()).State);
        Assert.Equal((1L, 1L, 1L), (_stations[0]!.OffersReceived, _stations[1]!.OffersReceived, _stations[2]!.OffersReceived));

        SendReceipt second = await sender.SendAsync("orders", "second"u8.ToArray(), new SendOptions { Link = "site-3" }).Bounded();
        await (await Stations.NextAsync(receiver)).AckAsync();
        Assert.Equal(FinalState.Delivered, (await second.Completion.Bounded()).State);
        Assert.Equal((1L, 1L, 1L), (_stations[0]!.OffersReceived, _stations[1]!.OffersReceived, _stations[2]!.OffersReceived));
    }

    [Fact]
    public async Task When_the_claiming_station_is_gone_messages_ring_again_and_end_NO_ROUTE()
    {
        await using (TamTamClient receiver = await Stations.NodeAsync(_stations[2]!, "site-3", "press", "orders"))
        {
            await using TamTamClient first = await CloudNodeAsync("web");
            SendReceipt learned = await first.SendAsync("orders", "learn"u8.ToArray(), new SendOptions { Link = "site-3" }).Bounded();
            await (await Stations.NextAsync(receiver)).AckAsync();
            await learned.Completion.Bounded();
        }

        await _stations[2]!.DisposeAsync();
        _stations[2] = null;
        await using TamTamClient sender = await CloudNodeAsync("web2");
        SendReceipt lost = await sender.SendAsync("orders", "nobody"u8.ToArray(), new SendOptions { Link = "site-3" }).Bounded();
        Assert.Equal(FinalState.NoRoute, (await lost.Completion.Bounded()).State);
        Assert.Equal((2L, 2L), (_stations[0]!.OffersReceived, _stations[1]!.OffersReceived));
    }

    [Fact]
    public async Task Messages_to_a_station_s_link_arrive_in_the_order_they_were_sent()
    {
        const int count = 40;
        await using TamTamClient receiver = await Stations.NodeAsync(_stations[2]!, "site-3", "press", "orders");
        await using TamTamClient sender = await CloudNodeAsync("web");
        var receipts = new List<SendReceipt>();
        for (int i = 0; i < count; i++)
        {
            receipts.Add(await sender.SendAsync("orders", BitConverter.GetBytes(i), new SendOptions { Link = "site-3" }).Bounded());
        }

        var seen = new List<int>();
        await using IAsyncEnumerator<IncomingMessage> messages = receiver.ReceiveAsync().GetAsyncEnumerator();
        while (seen.Count < count)
        {
            Assert.True(await messages.MoveNextAsync().AsTask().Bounded());
            seen.Add(BitConverter.ToInt32(messages.Current.Payload.Span));
            await messages.Current.AckAsync();
        }

        Assert.Equal(Enumerable.Range(0, count), seen);
        foreach (SendReceipt receipt in receipts)
        {
            Assert.Equal(FinalState.Delivered, (await receipt.Completion.Bounded()).State);
        }
    }

    [Fact]
    public async Task A_message_ringing_when_the_cloud_silo_is_SIGKILLed_is_delivered_after_it_restarts()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(_stations[2]!, "site-3", "press", "orders");

        // "st-0" comes first in the ring and leaves its offer open: the message is ringing, and no station has it, when the
        // silo dies. st-0's connection dies with the silo and does not come back; the real stations register again.
        await using RawStation holder = await RawStation.RegisterAsync(Cloud.Uri, "st-0");
        Guid id;
        await using (TamTamClient sender = await CloudNodeAsync("web"))
        {
            id = (await sender.SendAsync("orders", "survives"u8.ToArray(), new SendOptions { Link = "site-3" }).Bounded()).MessageId;
        }

        await holder.ExpectAsync(FrameType.StationOffer);
        Assert.Equal((0L, 0L, 0L), (_stations[0]!.OffersReceived, _stations[1]!.OffersReceived, _stations[2]!.OffersReceived));
        await Cloud.KillAndRestartAsync();
        IncomingMessage message = await Stations.NextAsync(receiver, TimeSpan.FromSeconds(60));
        Assert.Equal(id, message.MessageId);
        await message.AckAsync();
    }

    [Fact]
    public async Task A_delivery_unacknowledged_when_the_cloud_silo_is_SIGKILLed_is_settled_after_it_restarts()
    {
        await using TamTamStation registered = await StartAndRegisterAsync(
            Stations.Options("st-9", Path.Combine(_data, "st-9"), ["site-9"], Cloud.Uri));
        await using TamTamClient receiver = await Stations.NodeAsync(registered, "site-9", "press", "orders");
        await using (TamTamClient sender = await CloudNodeAsync("web"))
        {
            await sender.SendAsync("orders", "survives"u8.ToArray(), new SendOptions { Link = "site-9" }).Bounded();
        }

        IncomingMessage message = await Stations.NextAsync(receiver);
        await Cloud.KillAndRestartAsync();

        // Settled now, while the station may not have registered again: the interchange delivers it again once it has, and
        // the station answers that delivery with what it remembers.
        await message.AckAsync();

        // The sender comes back under its name and is handed the status the interchange held for it.
        await using TamTamClient returning = await CloudNodeAsync("web");
        MessageStatus status = await returning.WaitForStatusAsync(message.MessageId).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(FinalState.Delivered, status.State);
    }

    private Task<TamTamStation> StartStationAsync(int k) =>
        StartAndRegisterAsync(Stations.Options($"st-{k + 1}", Path.Combine(_data, $"st-{k + 1}"), [$"site-{k + 1}"], Cloud.Uri) with { RegisterLinks = false });

    private static async Task<TamTamStation> StartAndRegisterAsync(StationOptions options)
    {
        TamTamStation station = await TamTamStation.StartAsync(options);
        await station.WaitRegisteredAsync(Within.Exchange);
        return station;
    }

    private Task<TamTamClient> CloudNodeAsync(string node) => Stations.NodeAsync(Cloud.Uri, "cloud", node);
}
