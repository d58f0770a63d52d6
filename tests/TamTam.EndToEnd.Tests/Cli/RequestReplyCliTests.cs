using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam request</c> and <c>tamtam reply</c> against the real silo.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class RequestReplyCliTests(SharedSiloFixture silo) : IDisposable
{
    private const string Service = "cli/upper";
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-rr-").FullName;

    [Fact]
    public async Task Request_prints_the_output_of_the_command_reply_runs_on_it()
    {
        string link = Links.Unique("cli-rr");
        var replyConsole = new CliTestConsole(_folder);
        Task<int> replying = replyConsole.RunAsync("reply", Service, "--exec", "tr a-z A-Z", "--count", "1", "--link", link, "--node", "upper",
            "--server", silo.Uri.ToString());

        (int code, CliTestConsole request) = await RequestUntilBoundAsync(link, "hello there");

        Assert.True(code == ExitCodes.Success, request.Error);
        Assert.Equal("HELLO THERE", request.Out.Trim());
        Assert.Equal(ExitCodes.Success, await replying.Within(TestTimeout.Batch));
        Assert.Contains("replied", replyConsole.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_echoes_by_default_and_a_failing_command_rejects_the_request_which_exits_3()
    {
        string link = Links.Unique("cli-rr-echo");
        var echo = new CliTestConsole(_folder);
        Task<int> echoing = echo.RunAsync("reply", Service, "--count", "1", "--link", link, "--node", "echo", "--server", silo.Uri.ToString());
        (int code, CliTestConsole request) = await RequestUntilBoundAsync(link, "ping");
        Assert.True(code == ExitCodes.Success, request.Error);
        Assert.Equal("ping", request.Out.Trim());
        Assert.Equal(ExitCodes.Success, await echoing.Within(TestTimeout.Batch));

        var failing = new CliTestConsole(_folder);
        Task<int> refusing = failing.RunAsync("reply", Service, "--exec", "echo nope >&2; exit 7", "--count", "1", "--link", link, "--node", "echo",
            "--server", silo.Uri.ToString());
        (code, request) = await RequestUntilBoundAsync(link, "ping");
        Assert.Equal(ExitCodes.NotDelivered, code);
        Assert.Contains("REJECTED", request.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await refusing.Within(TestTimeout.Batch));
        Assert.Contains("command exited with 7: nope", failing.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_exits_6_when_no_reply_comes_within_its_timeout()
    {
        string link = Links.Unique("cli-rr-silent");
        await using TamTamClient silent = await Nodes.ListenAsync(silo.Uri, link, "silent", Service);
        var console = new CliTestConsole(_folder);

        int code = await console.RunAsync("request", Service, "anyone?", "--timeout", "300ms", "--link", link, "--server", silo.Uri.ToString())
            .Within(TestTimeout.Batch);

        Assert.Equal(ExitCodes.NoReply, code);
        Assert.Contains("no reply", console.Error, StringComparison.Ordinal);
        Assert.Empty(console.Out);
    }

    [Fact]
    public async Task With_json_request_prints_the_reply_as_an_object_and_reply_one_event_per_request()
    {
        string link = Links.Unique("cli-rr-json");
        var replyConsole = new CliTestConsole(_folder);
        Task<int> replying = replyConsole.RunAsync("reply", Service, "--count", "1", "--json", "--link", link, "--node", "echo",
            "--server", silo.Uri.ToString());

        (int code, CliTestConsole request) = await RequestUntilBoundAsync(link, "ping", "--json");

        Assert.True(code == ExitCodes.Success, request.Error);
        using (JsonDocument reply = JsonDocument.Parse(request.Out))
        {
            Assert.Equal("ping", reply.RootElement.GetProperty("text").GetString());
        }

        Assert.Equal(ExitCodes.Success, await replying.Within(TestTimeout.Batch));
        using JsonDocument replied = JsonDocument.Parse(replyConsole.Out);
        Assert.Equal(("replied", 4), (replied.RootElement.GetProperty("event").GetString(), replied.RootElement.GetProperty("bytes").GetInt32()));
    }

    // reply binds its port as it starts; until it has, a request ends with 300 NO_ROUTE and is made again.
    private async Task<(int Code, CliTestConsole Console)> RequestUntilBoundAsync(string link, string text, params string[] more)
    {
        for (int attempt = 0; ; attempt++)
        {
            var console = new CliTestConsole(_folder);
            int code = await console.RunAsync(["request", Service, text, "--timeout", "10s", "--link", link, "--server", silo.Uri.ToString(), .. more])
                .Within(TestTimeout.Batch);
            if (code != ExitCodes.Failure || !console.Error.Contains("300", StringComparison.Ordinal) || attempt == 50)
            {
                return (code, console);
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
