using System.Globalization;
using System.Net;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>
/// One real interchange for the whole collection: the host the executable runs, started in-process with
/// free ports (the wire protocol and HTTP bind port 0; Orleans gets a port known to be free) and a data directory of its
/// own: the silos of one test process are separate clusters, and two clusters on one directory overwrite each other's
/// grain state (the transfer registry's, say).
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    /// <summary>Short enough for the handshake-timeout test, far longer than any test needs to send HELLO.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly DataDirectory _data = new();
    private TamTamSilo? _silo;

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public IPEndPoint TcpEndPoint => Silo.TcpEndPoint;

    public IPEndPoint HttpEndPoint => Silo.HttpEndPoint;

    public async Task InitializeAsync()
    {
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={_data.Path}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Gateway:HandshakeTimeout={HandshakeTimeout.ToString("c", CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
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
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}

/// <summary>
/// A silo of its own for tests that read process-wide figures (the meters every in-process silo shares, as
/// <c>/metrics</c> serves them): run alone, after the parallel collections, so that no other silo starts or stops
/// meanwhile and moves the figures under them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialSiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo, run alone";
}
