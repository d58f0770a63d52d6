using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam monitor</c>: one snapshot off a terminal (text, JSON), the live view on one until q.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class MonitorCommandTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-monitor-").FullName;

    [Fact]
    public async Task Monitor_off_a_terminal_prints_one_snapshot_of_links_nodes_and_rates()
    {
        string link = Links.Unique("cli-mon");
        await using TamTamClient worker = await Nodes.ListenAsync(silo.Uri, link, "worker", "in");
        await worker.SendAsync("in", "x"u8.ToArray()).Within();

        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("monitor", "--interval", "50ms", "--watch", link, "--server", silo.Uri.ToString()).Within());
        Assert.Matches(@"healthy, sessions \d+, in \d+\.\d msg/s, out \d+\.\d msg/s", text.OutLines[0]);
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{link}\s+1\s+1\s+\d+\.\d$"));
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{link}\s+worker\s+yes\s"));

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("monitor", "--once", "--json", "--interval", "50ms", "--watch", link, "--server", silo.Uri.ToString()).Within());
        using JsonDocument snapshot = JsonDocument.Parse(Assert.Single(json.OutLines));
        Assert.Equal("healthy", snapshot.RootElement.GetProperty("state").GetString());
        Assert.True(snapshot.RootElement.GetProperty("messages_in_per_second").GetDouble() >= 0);
        JsonElement entry = snapshot.RootElement.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("link").GetString() == link);
        Assert.Equal(1UL, entry.GetProperty("sequence").GetUInt64());
        Assert.Equal("worker", Assert.Single(entry.GetProperty("members").EnumerateArray()).GetProperty("node").GetString());
    }

    [Fact]
    public async Task Monitor_on_a_terminal_draws_the_live_view_and_quits_on_q()
    {
        string link = Links.Unique("cli-live");
        await using TamTamClient worker = await Nodes.JoinAsync(silo.Uri, link, "worker");
        var console = new CliTestConsole(_folder);
        var quit = new TaskCompletionSource<ConsoleKeyInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        CliConsole terminal = console.Cli with
        {
            OutputIsTerminal = true,
            ReadKeyAsync = cancellationToken => quit.Task.WaitAsync(cancellationToken),
        };

        Task<int> running = TamTamCommand.Create(terminal).Parse(["monitor", "--interval", "20ms", "--watch", link, "--server", silo.Uri.ToString()])
            .InvokeAsync(terminal.InvocationConfiguration());
        await CliTestConsole.WaitUntilAsync(() => console.Out.Contains("worker", StringComparison.Ordinal));
        quit.SetResult(new ConsoleKeyInfo('q', ConsoleKey.Q, shift: false, alt: false, control: false));

        Assert.Equal(ExitCodes.Success, await running.Within());
        Assert.Contains("tamtam monitor", console.Out, StringComparison.Ordinal);
        Assert.Contains(link, console.Out, StringComparison.Ordinal);
        Assert.Contains("q or Ctrl+C to quit", console.Out, StringComparison.Ordinal);

        // The live view redraws in place: cursor movements, which a snapshot never has.
        Assert.Contains("\u001b[", console.Out, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
