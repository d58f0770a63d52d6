using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>An interchange whose ring-forwarded messages start with a ttl of 2 passes, and three stations that claim nothing.</summary>
[Collection(StationCollection.Name)]
public sealed class TtlTests : IAsyncLifetime
{
    private readonly string _data = Stations.NewDataPath("ttl");
    private readonly List<TamTamStation> _stations = [];
    private CloudSilo? _cloud;

    public async Task InitializeAsync()
    {
        _cloud = await CloudSilo.StartAsync("--TamTam:Interchange:DefaultTtl=2");
        for (int k = 1; k <= 3; k++)
        {
            TamTamStation station = await TamTamStation.StartAsync(
                Stations.Options($"st-{k}", Path.Combine(_data, $"st-{k}"), [$"site-{k}"], _cloud.Uri) with { RegisterLinks = false });
            _stations.Add(station);
            await station.WaitRegisteredAsync(Within.Exchange);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (TamTamStation station in _stations)
        {
            await station.DisposeAsync();
        }

        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_message_nobody_claims_ends_NO_ROUTE_when_its_ttl_runs_out_before_the_turn_ends()
    {
        await using TamTamClient sender = await Stations.NodeAsync(_cloud!.Uri, "cloud", "web");
        SendReceipt receipt = await sender.SendAsync("orders", "lost"u8.ToArray(), new SendOptions { Link = "nowhere" }).Bounded();
        MessageStatus status = await receipt.Completion.Bounded();
        Assert.Equal(FinalState.NoRoute, status.State);
        Assert.Equal("no station claimed it on the interchange's ring", status.Detail);
        Assert.Equal([1L, 1L, 0L], _stations.Select(s => s.OffersReceived));
    }
}
