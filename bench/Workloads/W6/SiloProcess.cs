using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TamTam.Bench.Workloads.W6;

/// <summary>
/// The silo executable as its own process (the <c>tamtam-silo.dll</c> the bench is built beside), on loopback
/// with ephemeral ports and a temporary data directory, so its memory can be read apart from the clients'.
/// Killed and its directory deleted on dispose.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataPath;

    private SiloProcess(Process process, string dataPath, IPEndPoint endPoint)
    {
        _process = process;
        _dataPath = dataPath;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Pid => _process.Id;

    public static async Task<SiloProcess> StartAsync(IReadOnlyList<string> siloArguments, TimeSpan timeout)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "tamtam-silo.dll");
        string dataPath = Path.Combine(Path.GetTempPath(), "tamtam-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        int tcp = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[dll, $"--TamTam:Tcp:Port={tcp}", "--TamTam:Http:Port=0", $"--TamTam:DataPath={dataPath}",
            $"--TamTam:Cluster:SiloPort={FreePort()}", "--TamTam:Cluster:GatewayPort=0", "--Logging:LogLevel:Default=Warning", .. siloArguments])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");

        // Drained so that a chatty silo never blocks on a full pipe; shown only on failure.
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endPoint = new IPEndPoint(IPAddress.Loopback, tcp);
        var silo = new SiloProcess(process, dataPath, endPoint);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline && !process.HasExited)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(endPoint);
                return silo;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        await silo.DisposeAsync();
        lock (log)
        {
            throw new InvalidOperationException($"the silo did not listen on {endPoint} within {timeout}:\n{log}");
        }
    }

    /// <summary>The process's resident set (VmRSS) or its peak (VmHWM), KiB.</summary>
    public static long ReadKiB(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length + 1).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
