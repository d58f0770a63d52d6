using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Client;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Gateway.Transports;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>
/// One real interchange with every transport open: TCP and HTTP (WebSocket <c>/ws</c>) on free ports, a Unix
/// socket under a temporary path (with a stale socket file left there first, which the start must remove),
/// and the in-memory connector. Its own data directory, so it never meets another fixture's links.
/// </summary>
public sealed class TransportSiloFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Short enough for the slow-sender tests; every other test's frames arrive in milliseconds.</summary>
    public static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(8);

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"tamtam-transports-{Guid.NewGuid():N}");

    // Unix socket paths are limited to about 100 bytes: short and directly under the temp directory.
    private readonly string _socketPath = Path.Combine(Path.GetTempPath(), $"tt-{Guid.NewGuid():N}"[..11] + ".sock");

    private TamTamSilo? _silo;

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public string SocketPath => _socketPath;

    public InMemoryGatewayConnector Memory => Silo.Services.GetRequiredService<InMemoryGatewayConnector>();

    public async Task InitializeAsync()
    {
        LeaveStaleSocketFile(_socketPath);
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:Unix:Path={_socketPath}",
            $"--TamTam:DataPath={_dataPath}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Gateway:HandshakeTimeout={TimeSpan.FromSeconds(5).ToString("c", CultureInfo.InvariantCulture)}",
            $"--TamTam:Gateway:FrameTimeout={FrameTimeout.ToString("c", CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ]).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Where the .NET client reaches <paramref name="transport"/>, and how.</summary>
    public TamTamClientOptions ClientOptions(string transport) => (transport switch
    {
        "tcp" => new TamTamClientOptions { Uri = new Uri($"tamtam://{Silo.TcpEndPoint}") },
        "unix" => new TamTamClientOptions { Uri = new Uri($"unix://{_socketPath}") },
        "ws" => new TamTamClientOptions { Uri = Silo.WebSocketUri },
        "memory" => new TamTamClientOptions { Uri = new Uri("memory:"), TransportFactory = Memory.ConnectAsync },
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "no such transport"),
    }) with
    {
        ClientName = $"transport-tests/{transport}",
        ConnectTimeout = Timeout,
        RequestTimeout = Timeout,
    };

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }

        File.Delete(_socketPath);
    }

    /// <summary>What a host killed while listening leaves behind: a socket file nobody accepts on.</summary>
    internal static void LeaveStaleSocketFile(string path)
    {
        // .NET deletes the file of a socket it bound when the socket is disposed, as a crashed process cannot:
        // bound under another name and renamed, the file outlives the socket.
        string bound = path + ".bind";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path), "the stale socket file outlives its socket");
    }
}

[CollectionDefinition(Name)]
public sealed class TransportSiloCollection : ICollectionFixture<TransportSiloFixture>
{
    public const string Name = "transports";
}
