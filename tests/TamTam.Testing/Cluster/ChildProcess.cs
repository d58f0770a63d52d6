using System.Diagnostics;
using System.Globalization;

namespace TamTam.Testing.Cluster;

/// <summary>
/// An executable the cluster harness runs (Azurite, redis-server, a silo): its output kept for failure messages and
/// watched for a line that says it is ready; stopped with SIGTERM (as a service manager does) or SIGKILL (as a
/// power cut or an OOM kill does). Free of xunit, so that the workloads can use it too.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 1_500;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource<string> Seen)> _watches = [];
    private readonly StreamWriter? _trace;

    private ChildProcess(Process process, StreamWriter? trace)
    {
        _process = process;
        _trace = trace;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>; the returned task of <see cref="WaitForLineAsync"/> can be taken before any output.</summary>
    /// <param name="traceName">With <see cref="ClusterTrace"/> on, every line also goes to this file of its directory.</param>
    public static ChildProcess Start(string file, IEnumerable<string> arguments, Func<string, bool>? ready, out Task<string> readyLine,
        string? traceName = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, traceName is null ? null : ClusterTrace.Open(traceName));
        readyLine = ready is null ? Task.FromResult(string.Empty) : child.WatchFor(ready);
        process.OutputDataReceived += (_, e) => child.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => child.Collect(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{file} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WhenEnded(child.FailWatches);
        return child;
    }

    /// <summary>Completes with the first line from now on that <paramref name="matches"/>; fails if the process exits first.</summary>
    public Task<string> WatchFor(Func<string, bool> matches)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            _watches.Add((matches, seen));
        }

        return seen.Task;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush. Waits until the process is gone.</summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then waits until the process has exited by itself within <paramref name="timeout"/> (SIGKILL after that, and a failure).</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (Process signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await KillAsync(timeout).ConfigureAwait(false);
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout} of SIGTERM. Its output:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
            if (_trace is not null)
            {
                lock (_trace)
                {
                    _trace.Dispose();
                }
            }
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_trace is not null)
        {
            lock (_trace)
            {
                _trace.WriteLine(line);
            }
        }

        List<TaskCompletionSource<string>>? seen = null;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }

            for (int i = _watches.Count - 1; i >= 0; i--)
            {
                if (_watches[i].Matches(line))
                {
                    (seen ??= []).Add(_watches[i].Seen);
                    _watches.RemoveAt(i);
                }
            }
        }

        seen?.ForEach(s => s.TrySetResult(line));
    }

    private void FailWatches()
    {
        List<TaskCompletionSource<string>> watches;
        lock (_output)
        {
            watches = [.. _watches.Select(w => w.Seen)];
            _watches.Clear();
        }

        string message = $"{_process.StartInfo.FileName} exited (code {_process.ExitCode}). Its output:\n{Output}";
        watches.ForEach(w => w.TrySetException(new InvalidOperationException(message)));
    }
}
