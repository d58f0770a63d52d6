using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// How a station's link hands a final state back toward the interchange: the station takes the link's status report for the
/// message's remote source link and answers the upstream delivery, and the report is done — not failed and made again on
/// every tick of the link.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class StationSettlementTests : IAsyncLifetime
{
    private readonly StandInInterchange _interchange = new();
    private readonly string _data = Stations.NewDataPath("settle");
    private TamTamStation? _station;

    private TamTamStation Station => _station!;

    public async Task InitializeAsync()
    {
        _station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], _interchange.Uri));
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
    public async Task A_final_status_reported_toward_the_cloud_is_taken_by_the_station_once_and_the_report_succeeds()
    {
        await _interchange.NextRegistrationAsync();
        await using TamTamClient receiver = await Stations.NodeAsync(Station, "plant", "press", "orders");
        var id = Guid.NewGuid();
        await _interchange.SendAsync(new DeliverFrame(id, 3, 1, "cloud", "web", "plant", "orders", 1, 0, false, null,
            new ReadOnlySequence<byte>("order"u8.ToArray())));
        await (await Stations.NextAsync(receiver)).AckAsync();
        (AckFrame ack, _) = await _interchange.ExpectAsync<AckFrame>();
        Assert.Equal((id, 3UL), (ack.MessageId, ack.Sequence));

        // The call the link made to report that final state to link "cloud", made again: the station answers it. Failing it
        // (as a filter that gave no result did) left the link reporting its statuses again on every tick, for ever.
        ILinkGrain cloud = Station.Services.GetRequiredService<IGrainFactory>().GetGrain<ILinkGrain>("cloud");
        await cloud.ReportStatusAsync([new StatusReport(id, "web", FinalState.Delivered, 1, 1, 0, "stored")]).WaitAsync(Within.Exchange);
        Assert.True(_interchange.NothingOf<AckFrame>(), "the delivery was answered upstream twice");
    }
}
