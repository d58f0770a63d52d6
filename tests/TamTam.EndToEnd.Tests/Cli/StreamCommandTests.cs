using System.Text;
using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam publish</c>, <c>subscribe</c> and <c>broadcast</c> against the real silo, as text and as JSON.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class StreamCommandTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-stream-").FullName;

    [Fact]
    public async Task Publish_sends_each_stdin_line_as_a_packet_to_every_subscriber()
    {
        string link = Links.Unique("cli-pub");
        await using TamTamClient subscriber = await Nodes.JoinAsync(silo.Uri, link, "dashboard");
        await subscriber.BindAsync("telemetry/temp", PortMode.Group).Within();

        var text = new CliTestConsole(_folder, stdin: "20.5\n21.0\n21.5\n");
        Assert.Equal(ExitCodes.Success, await text.RunAsync("publish", "telemetry/temp", "--link", link, "--server", silo.Uri.ToString()).Within());
        Assert.Equal($"published 3 packets to telemetry/temp", Assert.Single(text.OutLines));

        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("publish", "telemetry/temp", "22.0", "--json", "--link", link, "--server", silo.Uri.ToString()).Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        Assert.Equal(1, document.RootElement.GetProperty("published").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("refused").GetInt32());

        var received = new List<string>();
        await foreach (StreamPacket packet in subscriber.ReceiveStreamAsync().Take(4).WithCancellation(new CancellationTokenSource(TestTimeout.Default).Token))
        {
            received.Add(Encoding.UTF8.GetString(packet.Payload.Span));
        }

        Assert.Equal(["20.5", "21.0", "21.5", "22.0"], received);
    }

    [Fact]
    public async Task Publish_with_a_ttl_too_short_for_another_link_reports_the_refusal_and_exits_1()
    {
        string link = Links.Unique("cli-pub-ttl");
        var console = new CliTestConsole(_folder);

        int exit = await console.RunAsync("publish", $"{Links.Unique("elsewhere")}:t", "x", "--ttl", "1", "--link", link, "--server", silo.Uri.ToString()).Within();

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("1 refused", console.Out, StringComparison.Ordinal);
        Assert.Contains("error 305", console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_prints_each_packet_as_a_line_and_as_json_with_its_sequence()
    {
        string link = Links.Unique("cli-sub");
        await using TamTamClient publisher = await Nodes.JoinAsync(silo.Uri, link, "sensor");

        var text = new CliTestConsole(_folder);
        Task<int> textRun = text.RunAsync("subscribe", "telemetry", "--count", "2", "--node", "screen", "--link", link, "--server", silo.Uri.ToString());
        var json = new CliTestConsole(_folder);
        Task<int> jsonRun = json.RunAsync("subscribe", "telemetry", "--count", "2", "--json", "--node", "log", "--link", link, "--server", silo.Uri.ToString());
        // Each says so on stderr once its BIND is answered; a packet published before would find no one.
        await CliTestConsole.WaitUntilAsync(() => text.Error.Contains("subscribed", StringComparison.Ordinal) && json.Error.Contains("subscribed", StringComparison.Ordinal));

        await publisher.PublishAsync("telemetry", "one"u8.ToArray()).Within();
        await publisher.PublishAsync("telemetry", "two\nlines"u8.ToArray()).Within();

        Assert.Equal(ExitCodes.Success, await textRun.Within());
        Assert.Equal(ExitCodes.Success, await jsonRun.Within());
        Assert.Equal(["one", @"two\nlines"], text.OutLines);
        Assert.Contains("subscribed to telemetry as node screen", text.Error, StringComparison.Ordinal);
        using JsonDocument second = JsonDocument.Parse(json.OutLines[1]);
        Assert.Equal("two\nlines", second.RootElement.GetProperty("text").GetString());
        Assert.Equal(2, second.RootElement.GetProperty("sequence").GetInt32());
        Assert.Equal(0, second.RootElement.GetProperty("lost_before").GetInt32());
        Assert.Equal(link, second.RootElement.GetProperty("link").GetString());
    }

    [Fact]
    public async Task Broadcast_reaches_every_other_node_of_the_link_and_waits_for_their_confirmation()
    {
        string link = Links.Unique("cli-bcast");
        await using TamTamClient first = await Nodes.JoinAsync(silo.Uri, link, "first");
        await using TamTamClient second = await Nodes.JoinAsync(silo.Uri, link, "second");
        Task<string> firstGot = AckOneAsync(first);
        Task<string> secondGot = AckOneAsync(second);

        var text = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("broadcast", "deploy at noon", "--wait", "--link", link, "--server", silo.Uri.ToString()).Within());

        Assert.Equal("broadcast:deploy at noon", await firstGot.Within());
        Assert.Equal("broadcast:deploy at noon", await secondGot.Within());
        Assert.Matches("^accepted [0-9a-f-]{36} sequence \\d+$", text.OutLines[0]);
        Assert.Matches("^DELIVERED [0-9a-f-]{36} confirmed 2/2(: .+)?$", text.OutLines[1]);

        Task<string> again = AckOneAsync(first);
        Task<string> againSecond = AckOneAsync(second);
        var json = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("broadcast", "again", "--wait", "--json", "--link", link, "--server", silo.Uri.ToString()).Within());
        await Task.WhenAll(again, againSecond).Within();
        using JsonDocument status = JsonDocument.Parse(json.OutLines[1]);
        Assert.Equal("status", status.RootElement.GetProperty("event").GetString());
        Assert.Equal("DELIVERED", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(2, status.RootElement.GetProperty("recipients").GetInt32());
    }

    [Fact]
    public async Task Broadcast_to_a_port_bound_in_another_mode_is_refused_with_301()
    {
        string link = Links.Unique("cli-bcast-301");
        await using TamTamClient worker = await Nodes.ListenAsync(silo.Uri, link, "worker", "jobs");
        var console = new CliTestConsole(_folder);

        Assert.Equal(ExitCodes.Failure, await console.RunAsync("broadcast", "x", "--port", "jobs", "--link", link, "--server", silo.Uri.ToString()).Within());
        Assert.Contains("error 301", console.Error, StringComparison.Ordinal);
        Assert.Contains("broadcast to another --port", console.Error, StringComparison.Ordinal);
    }

    private static async Task<string> AckOneAsync(TamTamClient client)
    {
        await foreach (IncomingMessage message in client.ReceiveAsync())
        {
            await message.AckAsync();
            return $"{message.Port}:{Encoding.UTF8.GetString(message.Payload.Span)}";
        }

        throw new InvalidOperationException("the client ended");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
