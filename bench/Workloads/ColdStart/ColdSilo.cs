using System.Diagnostics;
using System.Globalization;
using TamTam.Testing;
using TamTam.Testing.Cluster;

namespace TamTam.Bench.Workloads.ColdStart;

/// <summary>
/// A silo executable started afresh for one cold run: a framework-dependent <c>tamtam-silo.dll</c> (run by
/// <c>dotnet</c>, its code JIT-compiled as it runs) or a published apphost (e.g. the self-contained ReadyToRun one
/// the container image holds), on loopback ports and a temporary data directory of its own.
/// </summary>
internal sealed class ColdSilo : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly ChildProcess _process;
    private readonly string _dataPath;

    private ColdSilo(ChildProcess process, string dataPath, Uri uri, TimeSpan startup)
    {
        _process = process;
        _dataPath = dataPath;
        Uri = uri;
        Startup = startup;
    }

    public Uri Uri { get; }

    /// <summary>From the process's start to its "listening" line.</summary>
    public TimeSpan Startup { get; }

    /// <summary>CPU time the silo process has used so far, its JIT's and tiering's background threads included.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var process = Process.GetProcessById(_process.Id);
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="environment"/> added to this process's own (the .NET
    /// runtime settings under test: <c>DOTNET_TieredPGO</c>, <c>DOTNET_TieredCompilation</c>, …).
    /// </summary>
    public static async Task<ColdSilo> StartAsync(string executable, IReadOnlyList<KeyValuePair<string, string>> environment,
        IReadOnlyList<string> siloArguments)
    {
        string dataPath = Path.Combine(Path.GetTempPath(), "tamtam-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        int tcp = FreePorts.Next();
        bool dll = executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        List<string> arguments =
        [
            .. dll ? [executable] : Array.Empty<string>(),
            $"--TamTam:Tcp:Port={tcp.ToString(CultureInfo.InvariantCulture)}",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={dataPath}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next().ToString(CultureInfo.InvariantCulture)}",
            "--TamTam:Cluster:GatewayPort=0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
            "--Logging:LogLevel:TamTam.Silo=Information",
            .. siloArguments,
        ];

        // ChildProcess passes this process's environment on; the runtime read its own settings long ago.
        foreach ((string key, string value) in environment)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        long started = Stopwatch.GetTimestamp();
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(dll ? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet" : executable, arguments,
                line => line.Contains("TamTam interchange listening: tcp://", StringComparison.Ordinal), out Task<string> listening);
            try
            {
                await listening.WaitAsync(StartTimeout);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
        catch
        {
            Directory.Delete(dataPath, recursive: true);
            throw;
        }
        finally
        {
            foreach ((string key, _) in environment)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }

        return new ColdSilo(process, dataPath, new Uri($"tamtam://127.0.0.1:{tcp.ToString(CultureInfo.InvariantCulture)}"),
            Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.TerminateAsync(StopTimeout);
        }
        finally
        {
            await _process.DisposeAsync();
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
