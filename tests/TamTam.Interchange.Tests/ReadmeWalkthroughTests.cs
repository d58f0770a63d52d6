using System.Text.RegularExpressions;
using TamTam.Client;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Testing.Cluster;

namespace TamTam.Interchange.Tests;

/// <summary>
/// README.md, "A station beside the interchange", command for command: the <c>tamtam</c> executable (beside the test binaries)
/// runs the station, the station's listener and the cloud node's send, each in its own process, against a cloud silo process.
/// Only the ports and the station's data and silo port differ, so that the test runs beside anything else on this machine.
/// </summary>
[Collection(StationCollection.Name)]
public sealed partial class ReadmeWalkthroughTests : IAsyncLifetime
{
    private static readonly TimeSpan Started = TimeSpan.FromSeconds(60);

    private readonly string _data = Stations.NewDataPath("readme");
    private readonly List<ChildProcess> _processes = [];
    private CloudSilo? _cloud;

    public async Task InitializeAsync() => _cloud = await CloudSilo.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (ChildProcess process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task The_readme_walkthrough_delivers_from_a_cloud_node_to_a_node_of_the_station()
    {
        int port = FreePorts.Next();
        string upstream = $"tamtam://127.0.0.1:{_cloud!.Uri.Port}";
        string station = $"tamtam://127.0.0.1:{port}";

        // dotnet run --project cli -- station --name factory --link plant --port 7520 --upstream tamtam://127.0.0.1:7420
        await StartAsync(line => line.Contains("station factory registered at", StringComparison.Ordinal),
            "station", "--name", "factory", "--link", "plant", "--port", $"{port}", "--upstream", upstream,
            "--data", Path.Combine(_data, "station-data"), "--http-port", "0", "--silo-port", $"{FreePorts.Next()}");

        // dotnet run --project cli -- listen orders --link plant --node press --server tamtam://127.0.0.1:7520
        ChildProcess listener = Start(null, out _, "listen", "orders", "--link", "plant", "--node", "press", "--server", station);
        Task<string> printed = listener.WatchFor(line => line == "from the cloud");
        await BoundAsync(new Uri(station), "plant", "press");

        // dotnet run --project cli -- send plant:orders "from the cloud" --link web --wait
        // The first line is watched from the start, the last one (after a round trip through the station) right after.
        ChildProcess sender = Start(line => line.StartsWith("accepted ", StringComparison.Ordinal), out Task<string> accepted,
            "send", "plant:orders", "from the cloud", "--link", "web", "--wait", "--server", upstream);
        Task<string> delivered = sender.WatchFor(line => line.StartsWith("DELIVERED ", StringComparison.Ordinal));

        Assert.Matches(AcceptedLine(), await accepted.WaitAsync(Started));
        Assert.Equal("from the cloud", await printed.WaitAsync(Started));
        Assert.Contains("confirmed 1/1", await delivered.WaitAsync(Started), StringComparison.Ordinal);
    }

    /// <summary>Waits until <paramref name="node"/> of <paramref name="link"/> is online at the station (the listener has joined and binds next).</summary>
    private static async Task BoundAsync(Uri station, string link, string node)
    {
        await using TamTamClient query = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = station,
            ClientName = "tamtam-interchange-tests",
            Reconnect = ReconnectOptions.Disabled,
        }).Bounded();
        using var deadline = new CancellationTokenSource(Started);
        while (!(await query.ListNodesAsync(link, deadline.Token)).Nodes.Any(n => n.Name == node && n.Online))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    private async Task StartAsync(Func<string, bool> ready, params string[] arguments)
    {
        ChildProcess process = Start(ready, out Task<string> readyLine, arguments);
        try
        {
            await readyLine.WaitAsync(Started);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"tamtam {arguments[0]} was not ready within {Started}. Its output:\n{process.Output}");
        }
    }

    private ChildProcess Start(Func<string, bool>? ready, out Task<string> readyLine, params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "tamtam.dll");
        ChildProcess process = ChildProcess.Start(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, .. arguments], ready,
            out readyLine);
        _processes.Add(process);
        return process;
    }

    [GeneratedRegex("^accepted [0-9a-f-]{36} sequence 1$")]
    private static partial Regex AcceptedLine();
}
