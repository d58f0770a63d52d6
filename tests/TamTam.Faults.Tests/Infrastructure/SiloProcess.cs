using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

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
        string dll = Path.Combine(AppContext.BaseDirectory, "tamtam-silo.dll");
        Assert.True(File.Exists(dll), $"{dll} is not in the test output");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in SiloArguments.For(dataPath))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

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

    [GeneratedRegex(@"TamTam interchange listening: tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
