using System.Globalization;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.Testing.Cluster;

/// <summary>
/// Azurite with its blob and table services on loopback, on ports fixed at the first start and a data folder of its
/// own, so that it can be stopped (a storage outage) and started again on the same ports and data.
/// </summary>
internal sealed class AzuriteServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    // Azurite closes its listeners at once on SIGTERM but then waits for every open keep-alive connection, which silos
    // under traffic never let go; after this it is killed.
    private static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(5);

    // Azurite's well-known development account; it only exists inside the emulator.
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location;
    private readonly int _queuePort = FreePorts.Next();
    private ChildProcess? _process;

    private AzuriteServer()
    {
        _location = Path.Combine(Path.GetTempPath(), "tamtam-azurite", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_location);
    }

    /// <summary>The blob service's port.</summary>
    public int BlobPort { get; } = FreePorts.Next();

    /// <summary>The table service's port.</summary>
    public int TablePort { get; } = FreePorts.Next();

    /// <summary>A connection string for both services of the development account.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint=http://127.0.0.1:{BlobPort}/{Account};TableEndpoint=http://127.0.0.1:{TablePort}/{Account};");

    /// <summary>Whether the services run now.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts Azurite and waits until both services listen.</summary>
    public static async Task<AzuriteServer> StartAsync()
    {
        var server = new AzuriteServer();
        try
        {
            await server.StartAgainAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the services again on the same ports and data folder after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync()
    {
        string azurite = Path.Combine(Path.GetDirectoryName(AzuriteLocator.Find())!, "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"'{azurite}' (blob and table services) is not installed: {AzuriteLocator.InstallCommand}");
        }

        string blob = $"Blob service is successfully listening at http://127.0.0.1:{BlobPort.ToString(CultureInfo.InvariantCulture)}";
        string table = $"Table service is successfully listening at http://127.0.0.1:{TablePort.ToString(CultureInfo.InvariantCulture)}";
        _process = ChildProcess.Start(azurite,
            [
                "--blobHost", "127.0.0.1", "--blobPort", Port(BlobPort),
                "--tableHost", "127.0.0.1", "--tablePort", Port(TablePort),
                "--queueHost", "127.0.0.1", "--queuePort", Port(_queuePort),
                "--location", _location, "--skipApiVersionCheck",
            ],
            line => line.Contains(blob, StringComparison.Ordinal), out Task<string> blobListening);
        Task<string> tableListening = _process.WatchFor(line => line.Contains(table, StringComparison.Ordinal));
        try
        {
            await Task.WhenAll(blobListening, tableListening).WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"Azurite did not listen within {StartTimeout}. Its output:\n{_process.Output}", ex);
        }
    }

    /// <summary>Stops the services (SIGTERM, so that Azurite saves its metadata; SIGKILL if it still runs after a few seconds) and waits until they are gone.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            try
            {
                await _process.TerminateAsync(GracefulStop).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // TerminateAsync has killed it.
            }

            await _process.KillAsync(StopTimeout).ConfigureAwait(false);
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
