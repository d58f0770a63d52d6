using Microsoft.Extensions.DependencyInjection;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// A hosted link reports the final state of a message that came from upstream to the message's source link, which the
/// station does not host: the station's call filter settles the upstream delivery instead, and the link's call must end
/// there as done, or the link keeps the status as not forwarded and tries again on every tick.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class StationStatusTests : IAsyncLifetime
{
    private readonly StandInInterchange _interchange = new();
    private readonly string _data = Stations.NewDataPath("status");
    private TamTamStation? _station;

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
    public async Task A_status_reported_to_a_link_the_station_does_not_host_completes_as_settled()
    {
        IGrainFactory grains = _station!.Services.GetRequiredService<IGrainFactory>();

        // Nothing to settle: the call only has to come back done, as the hosted link's forwarding awaits it.
        await grains.GetGrain<ILinkGrain>("web").ReportStatusAsync([]).Bounded();
    }
}
