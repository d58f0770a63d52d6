using System.Collections.Concurrent;
using System.Diagnostics;
using TamTam.Testing;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real <c>tamtam</c> executable (<c>dotnet tamtam.dll</c>, copied to the test output by the CLI project reference)
/// in its own process, so that a test can kill it as a user's machine would: SIGKILL, nothing flushed, no LEAVE.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private CliProcess(Process process, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>What the process printed so far (stdout and stderr), for assertions and failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts <c>tamtam <paramref name="arguments"/></c> with <paramref name="stateDirectory"/> for its session files.</summary>
    public static CliProcess Start(string stateDirectory, params string[] arguments)
    {
        ProcessStartInfo start = BuiltExecutable.StartInfo("tamtam.dll", arguments);
        start.Environment["TAMTAM_STATE_DIR"] = stateDirectory;
        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CliProcess(process, output);

        void Collect(string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
            }
        }
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // the output's last lines are read once this returns
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (on Linux <see cref="Process.Kill(bool)"/> sends it), then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().Within();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
