using System.Globalization;
using System.Net;
using TamTam.Silo;
using TamTam.Testing;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>
/// A real silo started in-process with the dev overlay's settings, as its pod would run it, but on this machine: the
/// ports free ones on loopback and the data volume a temporary directory. The probes of every overlay are sent to it.
/// </summary>
public sealed class OverlaySiloFixture : IAsyncLifetime
{
    private TamTamSilo? _silo;
    private string? _data;

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        RenderedOverlay dev = await RenderedOverlay.RenderAsync("dev");
        _data = Directory.CreateTempSubdirectory("tamtam-infra-data-").FullName;
        var settings = new Dictionary<string, string>(dev.Settings(), StringComparer.OrdinalIgnoreCase)
        {
            ["TamTam:Listen:Address"] = "localhost",
            ["TamTam:Tcp:Port"] = "0",
            ["TamTam:Http:Port"] = "0",
            ["TamTam:Cluster:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["TamTam:Cluster:GatewayPort"] = "0",
            ["TamTam:DataPath"] = _data,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _silo = await TamTamSilo.StartAsync([.. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Http.BaseAddress = new Uri($"http://{Silo.HttpEndPoint}");
    }

    /// <summary>GETs <paramref name="path"/> until it answers 200 or <paramref name="within"/> runs out; the last status.</summary>
    public async Task<HttpStatusCode> GetUntilOkAsync(string path, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        HttpStatusCode status = default;
        while (!deadline.IsCancellationRequested)
        {
            using HttpResponseMessage response = await Http.GetAsync(new Uri(path, UriKind.Relative), CancellationToken.None);
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                break;
            }

            // Readiness waits on the silo joining its cluster: poll, bounded by the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }

        return status;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_data is not null)
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OverlaySiloCollection : ICollectionFixture<OverlaySiloFixture>
{
    public const string Name = "a silo with the dev overlay's settings";
}
