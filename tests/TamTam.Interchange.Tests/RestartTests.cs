using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>A station stopped and started again on its data directory loses nothing it accepted.</summary>
[Collection(StationCollection.Name)]
public sealed class RestartTests : IDisposable
{
    private readonly string _data = Stations.NewDataPath("restart");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_message_waiting_in_a_hosted_link_survives_a_restart_of_the_station()
    {
        await using (TamTamStation station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant", "office"])))
        {
            await (await Stations.NodeAsync(station, "office", "desk", "inbox")).DisposeAsync();
            await using TamTamClient sender = await Stations.NodeAsync(station, "plant", "press");
            await sender.SendAsync("inbox", "kept"u8.ToArray(), new SendOptions { Link = "office" }).Bounded();
        }

        await using TamTamStation restarted = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant", "office"]));
        await using TamTamClient receiver = await Stations.NodeAsync(restarted, "office", "desk");
        IncomingMessage message = await Stations.NextAsync(receiver);
        Assert.Equal("kept"u8.ToArray(), message.Payload.ToArray());
        await message.AckAsync();
    }

    [Fact]
    public async Task A_status_from_upstream_reaches_the_sender_s_link_after_a_restart_of_the_station()
    {
        await using var interchange = new StandInInterchange();
        Guid id;
        await using (TamTamStation station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], interchange.Uri)))
        {
            await station.WaitRegisteredAsync(Within.Exchange);
            await using TamTamClient sender = await Stations.NodeAsync(station, "plant", "press");
            Task<SendReceipt> sending = sender.SendAsync("orders", "up"u8.ToArray(), new SendOptions { Link = "cloud" }).AsTask();
            (SendFrame send, uint correlation) = await interchange.ExpectAsync<SendFrame>();
            id = send.MessageId;
            await interchange.SendAsync(new AcceptedFrame(id, 1, 1, false), correlation);
            await sending.Bounded();
            Assert.Equal(1, station.AwaitingStatus);
        }

        await using TamTamStation restarted = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], interchange.Uri));
        await restarted.WaitRegisteredAsync(Within.Exchange);
        Assert.Equal(1, restarted.AwaitingStatus);
        await interchange.SendAsync(new StatusFrame(id, FinalState.Delivered, 1, 1, 2, "delivered"));
        (StatusAckFrame confirmed, _) = await interchange.ExpectAsync<StatusAckFrame>();
        Assert.Equal(id, confirmed.MessageId);
        Assert.Equal(0, restarted.AwaitingStatus);
    }
}
