using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TamTam.Silo;
using TamTam.Station.Internal;

namespace TamTam.Station;

/// <summary>
/// A TamTam station: an orchestrator outside the cloud that hosts several links, each with its own durable log on local
/// disk, serves its local nodes the wire protocol (TCP, Unix socket, WebSocket, in-memory) and joins one or more
/// interchanges upstream as a station (docs/protocol.md section 5.18). Messages between its links never leave it; a
/// message to any other link goes upstream; offers for its links are claimed and their deliveries handed to the link.
/// </summary>
/// <remarks>
/// The station is an embedded single-silo interchange (localhost clustering, local-directory storage) whose calls to links
/// it does not host are turned into interchange traffic, plus one session per interchange, kept up across restarts of
/// either side. See station/README.md for when it acknowledges what.
/// </remarks>
public sealed class TamTamStation : IAsyncDisposable
{
    private readonly TamTamSilo _silo;
    private readonly UpstreamJournal _journal;
    private readonly StationRouter _router;
    private readonly CancellationTokenSource _stopping;
    private readonly Task[] _sessions;
    private int _disposed;

    private TamTamStation(StationOptions options, TamTamSilo silo, UpstreamJournal journal, StationRouter router, CancellationTokenSource stopping, Task[] sessions)
    {
        _stopping = stopping;
        Options = options;
        _silo = silo;
        _journal = journal;
        _router = router;
        _sessions = sessions;
    }

    /// <summary>The station's settings.</summary>
    public StationOptions Options { get; }

    /// <summary>The embedded silo's services (its <c>IGrainFactory</c>, the gateway's in-memory connector, …).</summary>
    public IServiceProvider Services => _silo.Services;

    /// <summary>Where local nodes connect over TCP; the real port even when 0 was configured.</summary>
    public IPEndPoint TcpEndPoint => _silo.TcpEndPoint;

    /// <summary>Where local nodes connect over TCP: <c>tamtam://…</c>.</summary>
    public Uri TcpUri => _silo.TcpUri;

    /// <summary>The Unix domain socket of local nodes, or <see langword="null"/>.</summary>
    public string? UnixSocketPath => _silo.UnixSocketPath;

    /// <summary>True while the station is registered at the interchange number <paramref name="upstream"/> of <see cref="StationOptions.Upstreams"/>.</summary>
    public bool IsRegistered(int upstream) => _router.Connectors[upstream].IsRegistered;

    /// <summary>How many times the station has registered at interchange <paramref name="upstream"/> since it started.</summary>
    public int Registrations(int upstream) => _router.Connectors[upstream].Registrations;

    /// <summary>Offers (STATION_OFFER) received from the interchanges since the station started.</summary>
    public long OffersReceived => _router.Offers;

    /// <summary>Messages the station sent upstream whose final status has not come back yet.</summary>
    public int AwaitingStatus => _router.AwaitingStatus;

    /// <summary>Starts the embedded silo on <see cref="StationOptions.DataPath"/>, then its sessions to the interchanges.</summary>
    /// <exception cref="ArgumentException">A setting is out of range (the message names it).</exception>
    public static async Task<TamTamStation> StartAsync(StationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string data = Path.GetFullPath(options.DataPath);
        UpstreamJournal journal = await UpstreamJournal.OpenAsync(data, cancellationToken).ConfigureAwait(false);
        try
        {
            WebApplicationBuilder builder = TamTamSilo.CreateBuilder([.. SiloArguments(options, data)]);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<StationRouter>();
            builder.Services.AddSingleton<IOutgoingGrainCallFilter, StationCallFilter>();
            TamTamSilo silo = await TamTamSilo.StartAsync(builder, cancellationToken).ConfigureAwait(false);
            StationRouter router = silo.Services.GetRequiredService<StationRouter>();
            ILogger logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TamTam.Station");
            var connectors = new UpstreamConnector[options.Upstreams.Count];
            for (int i = 0; i < connectors.Length; i++)
            {
                connectors[i] = new UpstreamConnector(i, options, router.OnEventsAsync, logger, TimeProvider.System);
            }

            router.Attach(journal, connectors);
            var stopping = new CancellationTokenSource();
            return new TamTamStation(options, silo, journal, router, stopping,
                [.. connectors.Select(c => Task.Run(() => c.RunAsync(stopping.Token), CancellationToken.None))]);
        }
        catch
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the station has registered at every interchange once (or <paramref name="timeout"/> passes).</summary>
    /// <exception cref="TimeoutException">An interchange did not accept the station in time.</exception>
    public Task WaitRegisteredAsync(TimeSpan timeout) =>
        Task.WhenAll(_router.Connectors.Select(c => c.FirstRegistration)).WaitAsync(timeout);

    /// <summary>Waits for Ctrl+C or SIGTERM, then stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _silo.WaitForShutdownAsync(cancellationToken);

    /// <summary>Ends the interchange sessions, then stops the embedded silo (local sessions are told 211).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sessions).ConfigureAwait(false);
        await _silo.DisposeAsync().ConfigureAwait(false);
        await _journal.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static IEnumerable<string> SiloArguments(StationOptions options, string data)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        yield return $"--TamTam:DataPath={Path.Combine(data, "links")}";
        yield return $"--TamTam:Listen:Address={options.ListenAddress}";
        yield return string.Create(c, $"--TamTam:Tcp:Port={options.TcpPort}");
        yield return string.Create(c, $"--TamTam:Http:Port={options.HttpPort}");
        yield return $"--TamTam:Unix:Path={options.UnixPath}";
        yield return string.Create(c, $"--TamTam:Cluster:SiloPort={options.SiloPort}");
        yield return string.Create(c, $"--TamTam:Cluster:GatewayPort={options.OrleansGatewayPort}");
        yield return $"--TamTam:Cluster:ClusterId=station-{options.Name}";
        yield return $"--TamTam:Cluster:ServiceId=station-{options.Name}";
        foreach (string argument in options.SiloArguments)
        {
            yield return argument;
        }
    }
}
