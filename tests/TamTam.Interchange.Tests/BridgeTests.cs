using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>Two interchanges (silo processes) and one station on both: how two regions' interchanges meet.</summary>
[Collection(StationCollection.Name)]
public sealed class BridgeTests : IAsyncLifetime
{
    private readonly string _data = Stations.NewDataPath("bridge");
    private CloudSilo? _west;
    private CloudSilo? _east;
    private TamTamStation? _bridge;

    public async Task InitializeAsync()
    {
        _west = await CloudSilo.StartAsync();
        _east = await CloudSilo.StartAsync();
        _bridge = await TamTamStation.StartAsync(Stations.Options("bridge", _data, ["bridge-home"], _west.Uri, _east.Uri));
        await _bridge.WaitRegisteredAsync(Within.Exchange);
    }

    public async Task DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.DisposeAsync();
        }

        foreach (CloudSilo? silo in new[] { _west, _east })
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_message_to_a_link_of_the_other_interchange_crosses_the_bridge_and_its_status_comes_back()
    {
        await using TamTamClient receiver = await Stations.NodeAsync(_east!.Uri, "harbour", "crane", "orders");
        await using TamTamClient sender = await Stations.NodeAsync(_west!.Uri, "office", "clerk");

        SendReceipt receipt = await sender.SendAsync("orders", "across"u8.ToArray(), new SendOptions { Link = "harbour" }).Bounded();
        IncomingMessage message = await Stations.NextAsync(receiver);
        Assert.Equal(("bridge-home", "office", "across"), (message.SourceLink, message.SourceNode, System.Text.Encoding.UTF8.GetString(message.Payload.Span)));
        await message.AckAsync();
        Assert.Equal(FinalState.Delivered, (await receipt.Completion.Bounded()).State);
    }
}
