using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam status</c> and <c>tamtam audit</c> against the real silo, in text and JSON.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class StatusAuditTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-e2e-").FullName;

    [Fact]
    public async Task Status_cancels_and_shows_a_pending_message_and_audit_lists_it_as_json_lines()
    {
        string link = Links.Unique("cli-status");
        await (await Nodes.ListenAsync(silo.Uri, link, "away", "jobs")).DisposeAsync();
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        Guid id = (await sender.SendAsync("jobs", Nodes.Payload(8)).Within()).MessageId;

        var pending = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await pending.RunAsync("status", id.ToString(), "--link", link, "--server", silo.Uri.ToString()).Within());
        Assert.Contains("PENDING", pending.Out, StringComparison.Ordinal);

        var canceled = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success,
            await canceled.RunAsync("status", id.ToString(), "--link", link, "--cancel", "--json", "--server", silo.Uri.ToString()).Within());
        Assert.Contains("\"state\":\"CANCELED\"", canceled.Out, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"CANCELED\"", canceled.Out, StringComparison.Ordinal);

        var again = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Failure,
            await again.RunAsync("status", id.ToString(), "--link", link, "--cancel", "--server", silo.Uri.ToString()).Within());
        Assert.Contains("308", again.Error, StringComparison.Ordinal);

        var audit = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await audit.RunAsync("audit", link, "--json", "--server", silo.Uri.ToString()).Within());
        string line = Assert.Single(audit.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"\"message_id\":\"{id}\"", line, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"CANCELED\"", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
