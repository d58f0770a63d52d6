using System.Diagnostics;
using System.Net;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.EndToEnd;

/// <summary>The real executable in its own process: configuration sources, the wire protocol, a clean stop.</summary>
public sealed class ExecutableTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_executable_starts_from_environment_and_command_line_serves_ping_and_stops_cleanly_on_SIGTERM()
    {
        int tcpPort = FreePorts.Next();
        int overriddenTcpPort = FreePorts.Next();
        int httpPort = FreePorts.Next();

        using var data = new DataDirectory();
        ProcessStartInfo start = BuiltExecutable.StartInfo("tamtam-silo.dll",
        [
            $"--TamTam:Tcp:Port={tcpPort}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:DataPath={data.Path}",
        ]);

        // Environment below command line: the TCP port from here is overridden, the others apply.
        start.Environment["TAMTAM__TCP__PORT"] = overriddenTcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TAMTAM__HTTP__PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TAMTAM__GATEWAY__SERVERNAME"] = "tamtam-exe-test";

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            string line = await WaitAsync(listening.Task, StartTimeout, "the startup line", output);
            Assert.Contains($"tcp://127.0.0.1:{tcpPort}", line, StringComparison.Ordinal);
            Assert.Contains($"http://127.0.0.1:{httpPort}", line, StringComparison.Ordinal);

            await using WireClient client = await WireClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcpPort));
            WelcomeFrame welcome = await client.HelloAsync();
            Assert.Equal("tamtam-exe-test", welcome.Server.ToString());
            await client.AssertAliveAsync();

            // SIGTERM, as a container runtime or systemd stops the process (the shell's kill: no procps needed).
            using (Process kill = Process.Start("sh", ["-c", $"kill -TERM {process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]))
            {
                await kill.WaitForExitAsync();
            }

            await client.ExpectErrorAsync(ErrorCode.ShuttingDown, correlation: 0, fatal: true);
            await client.ExpectClosedAsync();
            using var stopped = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(stopped.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{string.Join('\n', output)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        void Collect(string? data)
        {
            if (data is null)
            {
                return;
            }

            output.Enqueue(data);
            if (data.Contains("TamTam interchange listening:", StringComparison.Ordinal))
            {
                listening.TrySetResult(data);
            }
        }
    }

    private static async Task<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, string what, IEnumerable<string> output)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No {what} within {timeout}. Output:\n{string.Join('\n', output)}");
            throw;
        }
    }
}
