using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using TamTam.Gateway;
using TamTam.Gateway.Security;
using TamTam.Gateway.Transports;
using TamTam.Grains.Interchange;
using TamTam.Grains.Links;
using TamTam.Grains.Streams;
using TamTam.Grains.Transfers;
using TamTam.Silo.Dashboard;
using TamTam.Silo.Http;
using TamTam.Silo.Internal;
using TamTam.Silo.Telemetry;
using TamTam.Storage.Blob;
using TamTam.Storage.Hosting;

namespace TamTam.Silo;

/// <summary>
/// The TamTam interchange host: one Orleans silo, the gateway's wire protocol on TCP (and a Unix domain socket
/// when configured) and an HTTP endpoint (with the wire protocol over WebSocket on <c>/ws</c>), composed in one
/// process. <c>Program</c> runs it; tests and embedders start it in-process with their own
/// arguments, e.g. <c>--TamTam:Tcp:Port=0</c>, and read the bound ports back.
/// </summary>
/// <remarks>
/// With no configuration: single-silo localhost clustering (silo port 11111, Orleans gateway 30000), the
/// wire protocol on 127.0.0.1:7420 and HTTP on 127.0.0.1:7480, anonymous sessions allowed, no TLS. See
/// <see cref="SiloOptions"/> for the keys, and docs/security.md for tokens, TLS and limits.
/// </remarks>
public sealed class TamTamSilo : IAsyncDisposable
{
    private const string TcpScheme = "tamtam";
    private const string TcpTlsScheme = "tamtams";

    private readonly WebApplication _app;
    private readonly SiloEndpoints _endpoints;
    private int _disposed;

    private TamTamSilo(WebApplication app, SiloOptions options, SiloEndpoints endpoints, bool usesTls)
    {
        _app = app;
        Options = options;
        _endpoints = endpoints;
        UsesTls = usesTls;
    }

    /// <summary>The host's settings as bound and checked at start.</summary>
    public SiloOptions Options { get; }

    /// <summary>The host's services (gateway statistics, Orleans' <c>IGrainFactory</c>, …).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The data directory, <see cref="SiloOptions.DataPath"/> made absolute.</summary>
    public string DataDirectory => Path.GetFullPath(Options.DataPath);

    /// <summary>Where the wire protocol listens; the real port even when 0 was configured.</summary>
    public IPEndPoint TcpEndPoint => SiloEndpoints.Bound(_endpoints.Tcp, "TCP");

    /// <summary>Where HTTP listens; the real port even when 0 was configured.</summary>
    public IPEndPoint HttpEndPoint => SiloEndpoints.Bound(_endpoints.Http, "HTTP");

    /// <summary>True when <c>TamTam:Tls:CertificatePath</c> is set: TCP and HTTP (so WebSocket too) speak TLS.</summary>
    public bool UsesTls { get; }

    /// <summary>The wire protocol over TCP as a client reaches it: <c>tamtam://{TcpEndPoint}</c>, or <c>tamtams://</c> with TLS.</summary>
    public Uri TcpUri => new($"{(UsesTls ? TcpTlsScheme : TcpScheme)}://{TcpEndPoint}");

    /// <summary>The wire protocol over WebSocket: <c>ws://{HttpEndPoint}/ws</c>, or <c>wss://</c> with TLS.</summary>
    public Uri WebSocketUri => new($"{(UsesTls ? "wss" : "ws")}://{HttpEndPoint}{WebSocketEndpointRouteBuilderExtensions.DefaultPattern}");

    /// <summary>The Unix domain socket's absolute path, or <see langword="null"/> when <c>TamTam:Unix:Path</c> is empty.</summary>
    public string? UnixSocketPath => UnixPath(Options);

    /// <summary>
    /// Composes the host from <paramref name="args"/> (command-line configuration) over environment variables
    /// and <c>appsettings.json</c> beside the executable. Returned unbuilt, so a caller may add services.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">
    /// A <c>TamTam</c> setting is out of range, or the TLS certificate cannot be used.
    /// </exception>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // The content root is the executable's folder so that its appsettings.json is found from any
        // working directory (`dotnet run --project silo` runs it in silo/, a published silo wherever it is started).
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        SiloOptions options = SiloOptionsReader.Read(builder.Configuration, out ListenAddress listen);
        ServerCertificate? certificate = ServerCertificate.Load(options.Tls);
        var endpoints = new SiloEndpoints();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton<ReadinessProbe>();

        // Taken when the host starts (StartAsync), released when it is disposed.
        builder.Services.AddSingleton(_ => DataDirectoryClaim.For(options));
        builder.AddTamTamTelemetry();

        // Registered through a factory so that the host disposes it; resolved at start.
        builder.Services.AddSingleton(_ => new SiloTls(certificate));

        builder.Services.AddTamTamGateway(builder.Configuration);
        builder.Services.AddTamTamGatewayTransports();
        builder.Services.AddTamTamDrain(builder.Configuration);
        builder.Services.AddHostedService<ClusterDeathWatch>();
        builder.Services.AddTamTamDashboard();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // TLS goes first in each listener's pipeline: the wire protocol and HTTP only ever see decrypted bytes.
            endpoints.Tcp = listen.Listen(kestrel, options.Tcp.Port, o =>
            {
                if (certificate is not null)
                {
                    o.UseHttps(certificate.Certificate);
                }

                o.UseConnectionHandler<TcpConnectionHandler>();
            });
            endpoints.Http = listen.Listen(kestrel, options.Http.Port, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                if (certificate is not null)
                {
                    o.UseHttps(certificate.Certificate);
                }
            });
            if (UnixPath(options) is { } unixPath)
            {
                kestrel.ListenUnixSocket(UnixSocketFile.PrepareForListen(unixPath), o => o.UseConnectionHandler<UnixConnectionHandler>());
            }
        });

        builder.UseOrleans(silo =>
        {
            silo.UseTamTamClustering(options.Cluster);
            AddStorage(silo, options, builder.Configuration);
            silo.AddTamTamStreams();
        });

        // After Orleans' own hosted service, so that it runs in a silo that joined its cluster; before the listeners.
        builder.Services.AddTamTamWarmUp(builder.Configuration);
        return builder;
    }

    /// <summary>Composes the host from <paramref name="args"/> and starts it.</summary>
    public static Task<TamTamSilo> StartAsync(string[] args, CancellationToken cancellationToken = default) =>
        StartAsync(CreateBuilder(args), cancellationToken);

    /// <summary>Builds and starts a host composed by <see cref="CreateBuilder"/>.</summary>
    /// <exception cref="DataDirectoryInUseException">
    /// This silo is a localhost cluster's primary on the local backend, and another running silo holds its data directory.
    /// </exception>
    public static async Task<TamTamSilo> StartAsync(WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.MapTamTamWebSocket();
        app.MapTamTamHealth();
        app.MapTamTamMetrics();
        app.MapTamTamDashboard();
        try
        {
            // Before Orleans or any store touches the data directory: another cluster's silo may hold it.
            app.Services.GetRequiredService<DataDirectoryClaim>();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        SiloTls tls = app.Services.GetRequiredService<SiloTls>();
        var silo = new TamTamSilo(app, app.Services.GetRequiredService<SiloOptions>(), app.Services.GetRequiredService<SiloEndpoints>(),
            tls.Certificate is not null);

        // Kestrel's own "Now listening on: http://…" names every endpoint http, the wire protocol's too;
        // appsettings.json quiets it and this line says what each endpoint is.
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TamTam.Silo");
        string unix = silo.UnixSocketPath is { } path ? $", unix://{path}" : string.Empty;
        string tcp = silo.UsesTls ? $"tcp://{silo.TcpEndPoint} with TLS ({TcpTlsScheme}://{silo.TcpEndPoint})" : $"tcp://{silo.TcpEndPoint}";
        logger.Listening($"{tcp}{unix}", $"{(silo.UsesTls ? "https" : "http")}://{silo.HttpEndPoint} (WebSocket {silo.WebSocketUri})");
        WarnAboutExposure(logger, silo, tls, app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value);
        app.Lifetime.ApplicationStopping.Register(logger.Stopping);
        app.Lifetime.ApplicationStopped.Register(logger.Stopped);
        return silo;
    }

    /// <summary>Waits for Ctrl+C or SIGTERM (or <see cref="StopAsync"/>), then stops the host gracefully.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the host: sessions are told 211 and closed, then the silo leaves the cluster.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Stops the host if it still runs, then releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        // `await using` after an explicit stop and dispose must not touch the disposed host again.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_app.Lifetime.ApplicationStopped.IsCancellationRequested)
        {
            await _app.StopAsync().ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The embedded defaults (anonymous access, no TLS) are safe on loopback only: said once at start when the
    /// listeners reach further, and when the certificate has expired.
    /// </summary>
    private static void WarnAboutExposure(ILogger logger, TamTamSilo silo, SiloTls tls, SecurityOptions security)
    {
        bool loopback = ListenAddress.TryParse(silo.Options.Listen.Address, out ListenAddress listen)
            && (listen.IsLocalhost || listen.Address is { } address && IPAddress.IsLoopback(address));
        if (!loopback && security.AllowAnonymous)
        {
            logger.AnonymousBeyondLoopback(silo.Options.Listen.Address);
        }

        if (!loopback && !silo.UsesTls)
        {
            logger.CleartextBeyondLoopback(silo.Options.Listen.Address);
        }

        if (tls.Certificate is { } certificate)
        {
            logger.TlsCertificate(certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            {
                logger.TlsCertificateExpired(certificate.Subject, certificate.NotAfter.ToUniversalTime());
            }
        }
    }

    private static string? UnixPath(SiloOptions options) =>
        string.IsNullOrWhiteSpace(options.Unix.Path) ? null : Path.GetFullPath(options.Unix.Path);

    /// <summary>
    /// Durable storage (the links' segment logs, grain state and parted payloads), on the backend that
    /// <c>TamTam:Storage:Backend</c> names: a local directory under <see cref="SiloOptions.DataPath"/> (write-then-rename,
    /// fsync) or Azure Blob Storage configured under <c>TamTam:Storage:Blob</c>. Link behaviour comes from <c>TamTam:Links</c>.
    /// </summary>
    private static void AddStorage(ISiloBuilder silo, SiloOptions options, ConfigurationManager configuration)
    {
        if (options.Storage.IsBlob)
        {
            // Links, payloads and grain state (Orleans' blob provider) reach one account alike: a service URI without a
            // SAS token is reached with a token credential (managed identity).
            IConfigurationSection blob = configuration.GetSection(SiloOptions.StorageSettings.BlobSection);
            Action<BlobStorageOptions> bind = AzureIdentity.BindBlob(blob);
            silo.Services.AddSingleton<ILeaseHolderLiveness, ClusterLeaseHolders>();
            silo.Services.AddTamTamBlobStorage(bind);
            silo.AddBlobGrainStorageAsDefault(bind);
        }
        else
        {
            string root = Path.GetFullPath(options.DataPath);
            silo.Services.AddTamTamLocalStorage(o => o.RootPath = root);
            silo.AddLocalDirectoryGrainStorageAsDefault(o => o.RootPath = root);
        }

        silo.Services.AddTamTamLinks(configuration);
        silo.Services.AddTamTamInterchange(configuration);

        // Parted payloads live in the payload store the backend registers (docs/architecture.md, "Large transfers");
        // live transfers are woken at start, so that their deadlines are watched after a restart.
        silo.Services.AddTamTamTransfers(configuration);
    }
}
