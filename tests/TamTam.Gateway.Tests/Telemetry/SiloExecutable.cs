using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.Gateway.Tests.Telemetry;

/// <summary>
/// The real executable in its own process on free ports and a data directory of its own (removed when it is disposed), its
/// console output collected line by line.
/// </summary>
internal sealed class SiloExecutable : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly DataDirectory _data;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _added = new(0);

    private SiloExecutable(Process process, DataDirectory data)
    {
        _process = process;
        _data = data;
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public static SiloExecutable Start(params string[] arguments)
    {
        var data = new DataDirectory();
        ProcessStartInfo start = BuiltExecutable.StartInfo("tamtam-silo.dll",
        [
            $"--TamTam:Tcp:Port={FreePorts.Next()}",
            $"--TamTam:Http:Port={FreePorts.Next()}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:DataPath={data.Path}",
            .. arguments,
        ]);

        var silo = new SiloExecutable(new Process { StartInfo = start }, data);
        silo._process.OutputDataReceived += (_, e) => silo.Collect(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Collect(e.Data);
        Assert.True(silo._process.Start());
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>The first line that satisfies <paramref name="match"/>, waited for up to <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            try
            {
                await _added.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No such line within {timeout}. Output:\n{string.Join('\n', _lines)}");
            }
        }
    }

    /// <summary>SIGTERM, then waits for the process to end, so that everything it logged has been read.</summary>
    public async Task StopAsync()
    {
        using (Process kill = Process.Start("sh", ["-c", $"kill -TERM {_process.Id.ToString(CultureInfo.InvariantCulture)}"]))
        {
            await kill.WaitForExitAsync();
        }

        using var stopped = new CancellationTokenSource(StopTimeout);
        await _process.WaitForExitAsync(stopped.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _added.Dispose();
        _data.Dispose();
    }

    private void Collect(string? data)
    {
        if (data is not null)
        {
            _lines.Enqueue(data);
            _added.Release();
        }
    }
}
