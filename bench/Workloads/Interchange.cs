using System.Net;
using System.Net.Sockets;
using TamTam.Silo;

namespace TamTam.Bench.Workloads;

/// <summary>
/// The interchange a workload runs against: a running server named by <c>--server</c>, or one this process
/// starts (the same host the executable runs) on ephemeral ports with a temporary data directory, stopped and
/// deleted at the end.
/// </summary>
internal sealed class Interchange : IAsyncDisposable
{
    private readonly TamTamSilo? _silo;
    private readonly string? _dataPath;

    private Interchange(Uri uri, TamTamSilo? silo, string? dataPath, IReadOnlyList<string>? siloArguments = null)
    {
        Uri = uri;
        WebSocketUri = silo?.WebSocketUri;
        Settings = siloArguments is { Count: > 0 } ? string.Join(' ', siloArguments) : null;
        _silo = silo;
        _dataPath = dataPath;
        Meters = silo is null ? null : new SiloMeters();
    }

    public Uri Uri { get; }

    /// <summary>The in-process silo's WebSocket endpoint (<c>ws://…/ws</c>); null against <c>--server</c>, whose URI names its transport.</summary>
    public Uri? WebSocketUri { get; }

    /// <summary>The URI a client of <paramref name="transport"/> (<c>tcp</c> or <c>ws</c>) dials.</summary>
    public Uri UriFor(string transport) => transport == "ws" && WebSocketUri is { } ws ? ws : Uri;

    /// <summary>The transport a result names: <c>ws</c> when a WebSocket URI is dialled, else <c>tcp</c>.</summary>
    public static string TransportOf(Uri uri) => uri.Scheme is "ws" or "wss" ? "ws" : "tcp";

    /// <summary><c>in-process</c>, or the external server's URI.</summary>
    public string Name => _silo is null ? Uri.ToString() : "in-process";

    /// <summary>The silo's services (its IGrainFactory) when it runs in this process.</summary>
    public IServiceProvider? Services => _silo?.Services;

    public SiloMeters? Meters { get; }

    /// <summary>Settings that differ from the defaults (<c>--TamTam:…</c> arguments), or null.</summary>
    public string? Settings { get; }

    public static async Task<Interchange> OpenAsync(Uri? server, IReadOnlyList<string> siloArguments)
    {
        if (server is not null)
        {
            return new Interchange(server, null, null);
        }

        string dataPath = Path.Combine(Path.GetTempPath(), "tamtam-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        try
        {
            TamTamSilo silo = await TamTamSilo.StartAsync(
            [
                "--TamTam:Tcp:Port=0",
                "--TamTam:Http:Port=0",
                $"--TamTam:DataPath={dataPath}",
                $"--TamTam:Cluster:SiloPort={FreePort()}",
                "--TamTam:Cluster:GatewayPort=0",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Orleans=Error",

                // Standard output carries the results, one JSON line each: the silo logs to standard error.
                "--Logging:Console:LogToStandardErrorThreshold=Trace",
                .. siloArguments,
            ]);
            return new Interchange(new Uri($"tamtam://127.0.0.1:{silo.TcpEndPoint.Port}"), silo, dataPath, siloArguments);
        }
        catch
        {
            Directory.Delete(dataPath, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Meters?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_dataPath is not null)
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    // The Orleans silo port cannot be 0; the OS hands out ephemeral ports in turn, so this one stays free.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
