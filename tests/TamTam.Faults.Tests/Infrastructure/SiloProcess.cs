using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TamTam.Testing;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real executable (<c>dotnet tamtam-silo.dll</c>, copied to the test output by the silo project
/// reference) in its own process, so that a test can kill it the hard way: SIGKILL, no shutdown hooks, no
/// flush, exactly what a power cut or an OOM kill leaves behind.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private SiloProcess(Process process, ConcurrentQueue<string> output, int tcpPort)
    {
        _process = process;
        _output = output;
        Uri = new Uri($"tamtam://127.0.0.1:{tcpPort.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Where clients connect.</summary>
    public Uri Uri { get; }

    /// <summary>What the process printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the executable on <paramref name="dataPath"/> (with <paramref name="extraArguments"/>) and waits until it listens.</summary>
    public static async Task<SiloProcess> StartAsync(string dataPath, params string[] extraArguments)
    {
        ProcessStartInfo start = StartInfo(dataPath, extraArguments);

        // The startup line carries the bound TCP port.
        start.ArgumentList.Add("--Logging:LogLevel:TamTam.Silo=Information");

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int port = await listening.Task.WaitAsync(TestTimeout.Batch);
            return new SiloProcess(process, output, port);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            Assert.Fail($"The silo process did not listen within {TestTimeout.Batch}. Output:\n{string.Join('\n', output)}");
            throw;
        }

        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            Match match = ListeningLine().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Runs the executable on <paramref name="dataPath"/> for a start that must fail: its exit code and all it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string dataPath, params string[] extraArguments)
    {
        using var process = new Process { StartInfo = StartInfo(dataPath, extraArguments) };
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Enqueue(e.Data);
        process.ErrorDataReceived += (_, e) => Enqueue(e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestTimeout.Batch);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The silo process did not exit within {TestTimeout.Batch}. Output:\n{string.Join('\n', output)}");
        }

        // The exit is seen before the last lines are read: WaitForExit without a timeout waits for the end of both streams.
        process.WaitForExit();
        return (process.ExitCode, string.Join('\n', output));

        void Enqueue(string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
            }
        }
    }

    /// <summary>SIGKILL (on Linux <see cref="Process.Kill(bool)"/> sends it), then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().Within();
    }

    /// <summary>SIGTERM, as a service manager or Kubernetes stops a process, then waits until it has exited by itself.</summary>
    public async Task StopAsync()
    {
        using (Process signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync().Within();
        }

        await _process.WaitForExitAsync().Within(TestTimeout.Batch);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string dataPath, string[] extraArguments) =>
        BuiltExecutable.StartInfo("tamtam-silo.dll", [.. SiloArguments.For(dataPath), .. extraArguments]);

    [GeneratedRegex(@"TamTam interchange listening: tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
