using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TamTam.Container.Tests.Infrastructure;

/// <summary>
/// One container of <see cref="SiloImage"/> on the host's network, read-only root filesystem, configured by
/// environment variables only, on ports of its own (so several run side by side). Its output is watched through the
/// attached <c>podman run</c>; it is stopped with <c>podman stop</c> (SIGTERM, then SIGKILL after the stop timeout) or
/// killed with <c>podman kill --signal KILL</c>.
/// </summary>
internal sealed class SiloContainer : IAsyncDisposable
{
    /// <summary>The stop timeout the containers run with: the silo's 25 s drain bound and a margin, as Kubernetes' default grace period.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> _environment;
    private ChildProcess? _attached;

    public SiloContainer(string name, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _environment = environment;
        TcpPort = FreePorts.Next();
        HttpPort = FreePorts.Next();
        Uri = new Uri($"tamtam://127.0.0.1:{TcpPort.ToString(CultureInfo.InvariantCulture)}");
    }

    public string Name { get; }

    public int TcpPort { get; }

    public int HttpPort { get; }

    /// <summary>Where clients connect.</summary>
    public Uri Uri { get; }

    /// <summary>The last lines the silo printed, for failure messages.</summary>
    public string Output => _attached?.Output ?? string.Empty;

    /// <summary>Starts the container and waits until <c>/healthz/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        await Podman.RunAsync(["rm", "--force", "--volumes", Name], CommandTimeout);
        var environment = new Dictionary<string, string>(_environment)
        {
            ["TAMTAM__LISTEN__ADDRESS"] = "localhost",
            ["TAMTAM__TCP__PORT"] = TcpPort.ToString(CultureInfo.InvariantCulture),
            ["TAMTAM__HTTP__PORT"] = HttpPort.ToString(CultureInfo.InvariantCulture),
        };
        environment.TryAdd("TAMTAM__CLUSTER__SILOPORT", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        environment.TryAdd("TAMTAM__CLUSTER__GATEWAYPORT", "0");
        List<string> arguments =
        [
            .. Podman.GlobalArguments(), "run", "--name", Name, "--network=host", "--read-only",
            "--stop-timeout", ((int)StopTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ];
        foreach ((string key, string value) in environment)
        {
            arguments.AddRange(["--env", $"{key}={value}"]);
        }

        arguments.Add(SiloImage.Tag);
        _attached = ChildProcess.Start("podman", arguments, ready: null, out _);
        await WaitUntilReadyAsync();
    }

    /// <summary>
    /// <c>podman stop</c>: SIGTERM, then SIGKILL if the silo has not exited within <see cref="StopTimeout"/>. Returns how
    /// long the stop took and the exit code (137 when it had to be killed).
    /// </summary>
    public async Task<(TimeSpan Took, int ExitCode)> StopAsync()
    {
        long started = Stopwatch.GetTimestamp();
        await Podman.RunCheckedAsync(["stop", Name], StopTimeout + CommandTimeout);
        TimeSpan took = Stopwatch.GetElapsedTime(started);
        string exitCode = await Podman.RunCheckedAsync(["inspect", "--format", "{{.State.ExitCode}}", Name], CommandTimeout);
        return (took, int.Parse(exitCode.Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILL, as a node failure or an OOM kill does; waits until the container has stopped.</summary>
    public Task KillAsync() => Podman.RunCheckedAsync(["kill", "--signal", "KILL", Name], CommandTimeout);

    /// <summary>A property of the container (a Go template of <c>podman inspect</c>).</summary>
    public async Task<string> InspectAsync(string format) => (await Podman.RunCheckedAsync(["inspect", "--format", format, Name], CommandTimeout)).Trim();

    public async ValueTask DisposeAsync()
    {
        await Podman.RunAsync(["rm", "--force", "--volumes", Name], CommandTimeout);
        if (_attached is not null)
        {
            await _attached.DisposeAsync();
        }
    }

    // Readiness is an HTTP answer with no event to await: asked every 200 ms within the bound.
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = new Uri($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/healthz/ready");
        long deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        string last = "no answer";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_attached is { HasExited: true })
            {
                throw new InvalidOperationException($"container {Name} exited before it was ready. Its output:\n{Output}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (TaskCanceledException)
            {
                last = "no answer within 5 s";
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"container {Name} was not ready within {StartTimeout} (last: {last}). Its output:\n{Output}");
    }
}
