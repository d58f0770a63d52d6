using System.Net;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol.Frames;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// A silo of its own for the interchange tests: a registered station changes how every link nobody joined is routed, so these
/// tests must not share an interchange with others, and they run one after another (one collection). The ring's ttl and the
/// offer retry are short so that the ring's rules show within a test's time. Its data directory is its own, as every test
/// silo's is (see <see cref="SiloFixture"/>).
/// </summary>
public class InterchangeSiloFixture : IAsyncLifetime
{
    /// <summary>Passes a ring-forwarded message starts with here.</summary>
    public const int DefaultTtl = 3;

    private readonly DataDirectory _data = new();
    private TamTamSilo? _silo;

    /// <summary>Settings a derived fixture adds (a policy).</summary>
    protected virtual string[] Settings => [];

    public IPEndPoint TcpEndPoint => (_silo ?? throw new InvalidOperationException("The silo is not started.")).TcpEndPoint;

    /// <summary>The silo's services: its meters, for tests that count its durable writes.</summary>
    internal IServiceProvider Services => (_silo ?? throw new InvalidOperationException("The silo is not started.")).Services;

    public async Task InitializeAsync()
    {
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={_data.Path}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Interchange:DefaultTtl={DefaultTtl}",
            "--TamTam:Interchange:OfferRetry=00:00:00.500",
            "--TamTam:Interchange:OfferTimeout=00:00:05",
            "--TamTam:Links:TimerPeriod=00:00:00.200",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            .. Settings,
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }

    /// <summary>
    /// Waits until the interchange knows no route: the stations of an earlier test have left (a station leaves once its
    /// connection's end is noticed, a moment after the test disposed it).
    /// </summary>
    internal async Task WaitForNoRoutesAsync()
    {
        await using WireClient query = await WireClient.ConnectWelcomedAsync(TcpEndPoint);
        using var deadline = new CancellationTokenSource(FramePeer.Timeout);
        for (uint correlation = 90; ; correlation++)
        {
            await query.SendAsync(new RoutesFrame(), correlation);
            if ((await query.ReceiveAsync<RoutesReportFrame>()).Routes.Count == 0)
            {
                return;
            }

            await Task.Delay(50, deadline.Token);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InterchangeCollection : ICollectionFixture<InterchangeSiloFixture>
{
    public const string Name = "interchange";
}
