using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TamTam.Testing;

namespace TamTam.Bench.Workloads.W5;

/// <summary>
/// The silo executable (<c>tamtam-silo.dll</c>, copied beside the bench) in a process of its own, so that its
/// memory is its own: W5 reads the resident set (<c>VmRSS</c>) and its peak (<c>VmHWM</c>) from /proc.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, int port)
    {
        _process = process;
        Uri = new Uri($"tamtam://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    public Uri Uri { get; }

    public int ProcessId => _process.Id;

    public static async Task<SiloProcess> StartAsync(string dataPath, IReadOnlyList<string> settings)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tamtam-silo.dll"));
        foreach (string argument in (string[])
                 [
                     "--TamTam:Tcp:Port=0", "--TamTam:Http:Port=0", $"--TamTam:DataPath={dataPath}",
                     $"--TamTam:Cluster:SiloPort={FreePort()}", "--TamTam:Cluster:GatewayPort=0",
                     "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:TamTam.Silo=Information", "--Logging:LogLevel:Orleans=Error",
                 ])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Watch(e.Data);
        process.ErrorDataReceived += (_, e) => Watch(e.Data);

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A silo that refuses its configuration exits at once: say why instead of waiting for the timeout.
        process.WhenEnded(() => listening.TrySetException(new InvalidOperationException(
            $"the silo process exited ({process.ExitCode}) before listening: {string.Join(" | ", said)}")));
        int port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new SiloProcess(process, port);

        void Watch(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (said.Count < 20)
            {
                said.Enqueue(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>A figure of /proc/&lt;pid&gt;/status in bytes, e.g. <c>VmRSS</c> or <c>VmHWM</c> (given there in kB).</summary>
    public long ReadStatusBytes(string key)
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                string kilobytes = line[(key.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {key}");
    }

    /// <summary>The CPU time the silo process has used so far, user and system.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Waits until the silo uses under a tenth of a core over half a second (its tiered JIT has caught up with the
    /// warm-up), at most <paramref name="limit"/>.
    /// </summary>
    public async Task WaitUntilQuietAsync(TimeSpan limit)
    {
        const double QuietShare = 0.1;
        TimeSpan interval = TimeSpan.FromMilliseconds(500);
        var waited = Stopwatch.StartNew();
        TimeSpan before = _process.TotalProcessorTime;
        while (waited.Elapsed < limit)
        {
            await Task.Delay(interval);
            _process.Refresh();
            TimeSpan now = _process.TotalProcessorTime;
            if ((now - before).TotalSeconds < interval.TotalSeconds * QuietShare)
            {
                return;
            }

            before = now;
        }
    }

    /// <summary>
    /// Stops the silo as a service manager would (SIGTERM): it closes its links' logs and, on the blob backend,
    /// gives their leases back, so the next run may use the same container at once. Killed if it lingers.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [GeneratedRegex(@"TamTam interchange listening: tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
