using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TamTam.Testing.Redis;

/// <summary>
/// One <c>redis-server</c> for the test run: on 127.0.0.1 on a free port, without persistence (<c>--save ""
/// --appendonly no</c>), stopped at the end. Tests isolate themselves by Orleans cluster id (<see cref="NewClusterId"/>):
/// the Redis membership table is keyed by service and cluster id.
/// </summary>
/// <remarks>If <c>redis-server</c> is not installed, starting fails and says how to install it (.ci/run does).</remarks>
public sealed class RedisServerFixture : IAsyncLifetime
{
    /// <summary>An environment variable that names a <c>redis-server</c> executable to use instead of the one on the PATH.</summary>
    public const string OverrideVariable = "TAMTAM_REDIS_SERVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    /// <summary>The port redis-server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The StackExchange.Redis configuration string, as <c>TamTam:Cluster:Redis:ConnectionString</c> takes it.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>A cluster id of its own, so that tests sharing the server never see each other's silos.</summary>
    public static string NewClusterId() => "c" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        Port = FreePorts.Next();
        var start = new ProcessStartInfo(Find())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no",
            "--protected-mode", "yes", "--loglevel", "notice",
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Process started = _process;
        started.WhenEnded(() => _ready.TrySetException(new InvalidOperationException(
            $"redis-server exited (code {started.ExitCode}) before it accepted connections. Its output:\n{Output()}")));

        try
        {
            await _ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"redis-server did not accept connections within {StartTimeout}. Its output:\n{Output()}", ex);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
    }

    private static string Find()
    {
        string? configured = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"{OverrideVariable} names '{configured}', which does not exist.");
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"redis-server, which the Redis clustering tests start, is not installed: `apt-get install redis-server` (.ci/run does this), or set {OverrideVariable}.");
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
