using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam join</c> and <c>leave</c>: a node later commands act as, kept until left.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class JoinLeaveTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-join-").FullName;

    [Fact]
    public async Task Join_keeps_the_node_a_member_later_commands_act_as_it_and_leave_ends_it()
    {
        string link = Links.Unique("cli-join");
        await using TamTamClient peer = await Nodes.ListenAsync(silo.Uri, link, "peer", "inbox");

        var join = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await join.RunAsync("join", link, "--node", "me", "--server", silo.Uri.ToString()).Within());
        Assert.StartsWith($"joined link {link} as node me at ", join.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(await NamesAsync(peer, link), name => name == "me");

        // No --link, --node or --server: the joined node sends, and stays a member afterwards.
        var send = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await send.RunAsync("send", "inbox", "hello").Within());
        IncomingMessage message = await FirstAsync(peer);
        Assert.Equal("me", message.SourceNode);
        Assert.Contains(await NamesAsync(peer, link), name => name == "me");

        var show = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await show.RunAsync("config", "show").Within());
        Assert.Contains(show.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^node\s+me\s+tamtam join$"));

        var leave = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await leave.RunAsync("leave", "--json").Within());
        using JsonDocument left = JsonDocument.Parse(Assert.Single(leave.OutLines));
        Assert.Equal("me", left.RootElement.GetProperty("node").GetString());
        Assert.DoesNotContain(await NamesAsync(peer, link), name => name == "me");

        // Nothing is joined any more: a command needs its link again.
        var after = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Failure, await after.RunAsync("send", "inbox", "x").Within());
        Assert.Contains("--link is required", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_while_another_node_is_joined_is_refused_until_leave()
    {
        string link = Links.Unique("cli-join2");
        var first = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await first.RunAsync("join", link, "--node", "a", "--json", "--server", silo.Uri.ToString()).Within());
        using (JsonDocument joined = JsonDocument.Parse(Assert.Single(first.OutLines)))
        {
            Assert.Equal(link, joined.RootElement.GetProperty("link").GetString());
            Assert.False(joined.RootElement.GetProperty("resumed").GetBoolean());
        }

        var second = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Failure, await second.RunAsync("join", link, "--node", "b", "--server", silo.Uri.ToString()).Within());
        Assert.Contains("already joined as node a", second.Error, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Success, await new CliTestConsole(_folder).RunAsync("leave").Within());
    }

    private static async Task<IReadOnlyList<string>> NamesAsync(TamTamClient client, string link) =>
        (await client.ListNodesAsync(link).Within()).Nodes.Select(n => n.Name).ToList();

    private static async Task<IncomingMessage> FirstAsync(TamTamClient client)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await foreach (IncomingMessage message in client.ReceiveAsync(timeout.Token))
        {
            await message.AckAsync();
            return message;
        }

        throw new InvalidOperationException("the client ended");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
