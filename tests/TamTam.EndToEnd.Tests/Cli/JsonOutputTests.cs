using System.Security.Cryptography;
using System.Text.Json;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>--json</c> on the commands that were text only: send, listen, put and get, and errors as JSON on stderr.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class JsonOutputTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-json-").FullName;

    [Fact]
    public async Task Send_with_json_prints_the_receipt_and_the_final_state_as_objects()
    {
        string link = Links.Unique("cli-json-send");
        await using TamTamClient peer = await Nodes.ListenAsync(silo.Uri, link, "peer", "inbox");
        Task acking = AckOneAsync(peer);
        var console = new CliTestConsole(_folder);

        Assert.Equal(ExitCodes.Success, await console.RunAsync("send", "inbox", "hi", "--wait", "--json", "--link", link, "--server", silo.Uri.ToString()).Within());
        await acking.Within();

        Assert.Equal(2, console.OutLines.Length);
        using JsonDocument accepted = JsonDocument.Parse(console.OutLines[0]);
        using JsonDocument status = JsonDocument.Parse(console.OutLines[1]);
        Assert.Equal("accepted", accepted.RootElement.GetProperty("event").GetString());
        Assert.Equal(1UL, accepted.RootElement.GetProperty("sequence").GetUInt64());
        Assert.Equal(accepted.RootElement.GetProperty("id").GetGuid(), status.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("DELIVERED", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(1, status.RootElement.GetProperty("confirmed").GetInt32());
    }

    [Fact]
    public async Task A_refused_send_with_json_writes_the_numbered_error_as_an_object_on_stderr()
    {
        var console = new CliTestConsole(_folder);

        Assert.Equal(ExitCodes.Failure, await console.RunAsync("send", "nobody-here", "hi", "--json", "--link", Links.Unique("cli-json-300"), "--server", silo.Uri.ToString()).Within());

        using JsonDocument error = JsonDocument.Parse(console.Error.Trim());
        Assert.Equal(300, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("NO_ROUTE", error.RootElement.GetProperty("error").GetProperty("name").GetString());
        Assert.Empty(console.Out);
    }

    [Fact]
    public async Task Listen_with_json_prints_each_message_as_an_object()
    {
        string link = Links.Unique("cli-json-listen");
        var console = new CliTestConsole(_folder);
        Task<int> listening = console.RunAsync("listen", "inbox", "--count", "1", "--leave", "--json", "--node", "l", "--link", link, "--server", silo.Uri.ToString());
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        // listen binds as it starts; until it has, a send ends NO_ROUTE.
        await SendWhenBoundAsync(sender, "inbox", "payload"u8.ToArray());

        Assert.Equal(ExitCodes.Success, await listening.Within());
        using JsonDocument message = JsonDocument.Parse(Assert.Single(console.OutLines));
        Assert.Equal("payload", message.RootElement.GetProperty("text").GetString());
        Assert.Equal($"{link}:sender", message.RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Put_and_get_with_json_print_the_receipt_status_and_the_received_file_as_objects()
    {
        string link = Links.Unique("cli-json-files");
        string source = Path.Combine(_folder, "in.bin");
        string target = Path.Combine(_folder, "out.bin");
        File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(10_000));

        var getConsole = new CliTestConsole(_folder);
        Task<int> get = getConsole.RunAsync("get", link, "drop", target, "--json", "--node", "getter", "--server", silo.Uri.ToString());
        CliTestConsole putConsole;
        int put;
        int attempts = 0;
        do
        {
            putConsole = new CliTestConsole(_folder);
            put = await putConsole.RunAsync("put", link, "drop", source, "--wait", "--json", "--server", silo.Uri.ToString()).Within(TestTimeout.Batch);
        }
        while (put != ExitCodes.Success && ++attempts < 50 && await Task.Delay(100).ContinueWith(_ => true));

        Assert.True(put == ExitCodes.Success, putConsole.Error);
        Assert.Equal(ExitCodes.Success, await get.Within(TestTimeout.Batch));
        using JsonDocument receipt = JsonDocument.Parse(putConsole.OutLines[0]);
        using JsonDocument status = JsonDocument.Parse(putConsole.OutLines[1]);
        using JsonDocument received = JsonDocument.Parse(Assert.Single(getConsole.OutLines));
        Assert.Equal("accepted", receipt.RootElement.GetProperty("event").GetString());
        Assert.Equal("DELIVERED", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(receipt.RootElement.GetProperty("id").GetGuid(), received.RootElement.GetProperty("id").GetGuid());
        Assert.Equal(10_000, received.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(target, received.RootElement.GetProperty("path").GetString());
    }

    private static async Task SendWhenBoundAsync(TamTamClient sender, string port, byte[] payload)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            try
            {
                await sender.SendAsync(port, payload, cancellationToken: timeout.Token);
                return;
            }
            catch (TamTamException refused) when (refused.Code == ErrorCode.NoRoute)
            {
                await Task.Delay(20, timeout.Token);
            }
        }
    }

    private static async Task AckOneAsync(TamTamClient client)
    {
        await foreach (IncomingMessage message in client.ReceiveAsync())
        {
            await message.AckAsync();
            return;
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
