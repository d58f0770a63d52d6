using System.Globalization;
using System.Text.RegularExpressions;

namespace TamTam.Testing.Cluster;

/// <summary>
/// One silo of a <see cref="SiloCluster"/>: the real executable (<c>dotnet tamtam-silo.dll</c>, copied beside the
/// test or bench binaries by their silo project reference) in its own process, on ports fixed at creation so that a
/// restarted silo comes back where its clients look for it.
/// </summary>
internal sealed partial class ClusterSilo : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(15);

    private readonly IReadOnlyList<string> _arguments;
    private ChildProcess? _process;

    internal ClusterSilo(int index, int tcpPort, IReadOnlyList<string> arguments)
    {
        Index = index;
        TcpPort = tcpPort;
        _arguments = arguments;
        Uri = new Uri($"tamtam://127.0.0.1:{tcpPort.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Its place in the cluster, 0-based.</summary>
    public int Index { get; }

    /// <summary>The port of the wire protocol over TCP.</summary>
    public int TcpPort { get; }

    /// <summary>Where clients connect.</summary>
    public Uri Uri { get; }

    /// <summary>Whether the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process id while it runs.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output => _process?.Output ?? string.Empty;

    /// <summary>Starts the process (again) and waits until it has joined the cluster and listens.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        string dll = Path.Combine(AppContext.BaseDirectory, "tamtam-silo.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is not beside the binaries (reference the silo project)");
        }

        _process = ChildProcess.Start(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, .. _arguments, .. ClusterTrace.SiloArguments],
            line => ListeningLine().IsMatch(line), out Task<string> listening, traceName: $"silo{Index}");
        try
        {
            await listening.WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            string output = _process.Output;
            await _process.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"silo {Index} did not listen within {StartTimeout}. Its output:\n{output}", ex);
        }
    }

    /// <summary>SIGKILL, and waits until the process is gone.</summary>
    public Task KillAsync() => _process?.KillAsync(KillTimeout) ?? Task.CompletedTask;

    /// <summary>SIGTERM (a graceful drain), and waits until the process has exited by itself within <paramref name="timeout"/>.</summary>
    public Task TerminateAsync(TimeSpan timeout) => _process?.TerminateAsync(timeout) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _process?.DisposeAsync() ?? ValueTask.CompletedTask;

    [GeneratedRegex(@"TamTam interchange listening: tcp://")]
    private static partial Regex ListeningLine();
}
