using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam nodes</c>, <c>links</c>, <c>health</c>, <c>ping</c> and <c>version</c> against the real silo, as text and as JSON.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class QueryCommandTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-query-").FullName;

    [Fact]
    public async Task Nodes_lists_the_members_of_a_link_with_online_and_pending()
    {
        string link = Links.Unique("cli-nodes");
        await using TamTamClient worker = await Nodes.JoinAsync(silo.Uri, link, "worker-1");

        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("nodes", link, "--server", silo.Uri.ToString()).Within());
        Assert.Matches(@"^NODE\s+ONLINE\s+RTT\s+PENDING$", text.OutLines[0]);
        Assert.Matches(@"^worker-1\s+yes\s+\S+( ms)?\s+0$", text.OutLines[1]);

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("nodes", "--link", link, "--json", "--server", silo.Uri.ToString()).Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        Assert.Equal(link, document.RootElement.GetProperty("link").GetString());
        JsonElement node = Assert.Single(document.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.Equal("worker-1", node.GetProperty("node").GetString());
        Assert.True(node.GetProperty("online").GetBoolean());
        Assert.Equal(0, node.GetProperty("pending").GetInt32());
        Assert.False(document.RootElement.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Nodes_without_a_link_says_to_name_one()
    {
        var console = new CliTestConsole(_folder);

        Assert.Equal(ExitCodes.Failure, await console.RunAsync("nodes", "--server", silo.Uri.ToString()).Within());
        Assert.Contains("name a link", console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_lists_each_link_with_its_nodes_and_sequence()
    {
        string link = Links.Unique("cli-links");
        await using TamTamClient worker = await Nodes.ListenAsync(silo.Uri, link, "worker", "in");
        SendReceipt receipt = await worker.SendAsync("in", "x"u8.ToArray()).Within();

        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("links", "--server", silo.Uri.ToString()).Within());
        Assert.Matches(@"^LINK\s+NODES\s+SEQUENCE$", text.OutLines[0]);
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{link}\s+1\s+{receipt.Sequence}$"));

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("links", "--json", "--server", silo.Uri.ToString()).Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        JsonElement entry = document.RootElement.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("link").GetString() == link);
        Assert.Equal(1, entry.GetProperty("nodes").GetInt32());
        Assert.Equal(receipt.Sequence, entry.GetProperty("sequence").GetUInt64());
    }

    [Fact]
    public async Task Health_exits_0_for_a_healthy_server_and_prints_its_figures()
    {
        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("health", "--server", silo.Uri.ToString()).Within());
        Assert.StartsWith("healthy: ", text.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(text.OutLines, line => line.StartsWith("silo.sessions ", StringComparison.Ordinal));

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("health", "--json", "--server", silo.Uri.ToString()).Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        Assert.Equal("healthy", document.RootElement.GetProperty("state").GetString());
        Assert.True(document.RootElement.GetProperty("figures").GetProperty("silo.sessions").GetInt64() >= 1);

        var quiet = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await quiet.RunAsync("health", "-q", "--server", silo.Uri.ToString()).Within());
        Assert.Empty(quiet.Out);
    }

    [Fact]
    public async Task Health_exits_1_with_the_reason_when_no_server_answers()
    {
        var console = new CliTestConsole(_folder);

        Assert.Equal(ExitCodes.Failure, await console.RunAsync("health", "--json", "--server", $"tamtam://127.0.0.1:{FreePorts.Next()}").Within());
        using JsonDocument error = JsonDocument.Parse(console.Error);
        Assert.Contains("cannot connect", error.RootElement.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_prints_each_round_trip_then_min_avg_max_and_no_loss()
    {
        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("ping", "-c", "3", "-i", "10ms", "--server", silo.Uri.ToString()).Within());
        Assert.StartsWith("PING ", text.OutLines[0], StringComparison.Ordinal);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Matches($@"^pong from \S+: seq={i} time=\d+\.\d{{3}} ms$", text.OutLines[i]);
        }

        Assert.Equal("3 sent, 3 received, 0% loss", text.OutLines[5]);
        Assert.Matches(@"^rtt min/avg/max = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$", text.OutLines[6]);

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("ping", "-c", "2", "-i", "10ms", "--json", "--server", silo.Uri.ToString()).Within());
        Assert.Equal(3, json.OutLines.Length);
        using JsonDocument first = JsonDocument.Parse(json.OutLines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("seq").GetInt32());
        Assert.True(first.RootElement.GetProperty("time_ms").GetDouble() >= 0);
        using JsonDocument summary = JsonDocument.Parse(json.OutLines[2]);
        Assert.Equal(2, summary.RootElement.GetProperty("sent").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("received").GetInt32());
        Assert.Equal(0, summary.RootElement.GetProperty("loss_percent").GetInt32());
        Assert.True(summary.RootElement.GetProperty("min_ms").GetDouble() <= summary.RootElement.GetProperty("max_ms").GetDouble());
    }

    [Fact]
    public async Task Version_prints_the_tool_and_protocol_version_and_with_remote_the_server()
    {
        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("version", "--remote", "--server", silo.Uri.ToString()).Within());
        Assert.Matches(@"^tamtam \d+\.\d+\.\d+\S* \(protocol 1, ", text.OutLines[0]);
        Assert.StartsWith("server ", text.OutLines[1], StringComparison.Ordinal);

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("version", "--json").Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        Assert.Equal(1, document.RootElement.GetProperty("protocol").GetInt32());
        Assert.False(document.RootElement.TryGetProperty("server", out _));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
