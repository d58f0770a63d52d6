using System.Diagnostics;
using TamTam.Bench.Workloads.W5;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary>
/// The CLI's sessions against the real silo (its default session timeout of two minutes): a command that finished
/// LEAVEs, so its node's name is free at once; one that was killed, or a listener that stopped, is resumed by the
/// next run of the same node instead of meeting 205 NAME_TAKEN for the session timeout.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class CliSessionTests(SharedSiloFixture silo) : IDisposable
{
    private const string Port = "drop";

    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-sessions-").FullName;

    private string StateDirectory => Path.Combine(_folder, "state");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_put_killed_midway_resumes_at_once_when_run_again_with_its_id_and_the_payload_arrives_whole(bool withNode)
    {
        const int Seed = 71;
        const long Size = (64L * 1024 * 1024) + 3;
        string link = Links.Unique("cli-kill");
        string source = Path.Combine(_folder, "big.bin");
        await using (FileStream file = File.Create(source))
        {
            await new SeededPayload(Seed, Size).CopyToAsync(file);
        }

        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
        Guid id = Guid.CreateVersion7();
        string[] put = ["put", link, Port, source, "--id", id.ToString(), "--server", silo.Uri.ToString(), .. withNode ? new[] { "--node", "uploader" } : []];

        TransferSnapshot cut;
        await using (CliProcess first = CliProcess.Start(StateDirectory, put))
        {
            // Killed once the server holds a few parts: a real process, SIGKILL, no LEAVE and nothing flushed.
            cut = await StagedAsync(id, atLeast: 3, first);
            await first.KillAsync();
        }

        Assert.True(cut.PartsStaged < cut.Descriptor!.PartCount, $"the upload was complete ({cut.PartsStaged}/{cut.Descriptor.PartCount}) before the kill");

        // At once, not after the two minutes the killed session's name is held for.
        var elapsed = Stopwatch.StartNew();
        await using CliProcess again = CliProcess.Start(StateDirectory, [.. put, "--wait"]);
        int exitCode = await again.ExitCodeAsync(TestTimeout.Batch);

        Assert.True(exitCode == ExitCodes.Success, again.Output);
        Assert.InRange(elapsed.Elapsed, TimeSpan.Zero, TestTimeout.Batch);
        Assert.Contains("resumed the session", again.Output, StringComparison.Ordinal);
        Assert.Contains($"{id} DELIVERED 1/1", again.Output, StringComparison.Ordinal);
        await receiving.Within(TestTimeout.Batch);
        Assert.Equal(SeededPayload.Sha256Of(Seed, Size), sink.Sha256());
        Assert.Empty(Directory.GetFiles(StateDirectory));
    }

    [Fact]
    public async Task A_get_that_finished_frees_its_node_name_at_once()
    {
        string link = Links.Unique("cli-get");
        string target = Path.Combine(_folder, "got.bin");
        var console = new CliTestConsole(_folder);
        Task<int> get = console.RunAsync("get", link, Port, target, "--node", "getter", "--server", silo.Uri.ToString());
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        await SendOnceBoundAsync(sender, "payload"u8.ToArray());

        Assert.True(await get.Within(TestTimeout.Batch) == ExitCodes.Success, console.Error);

        // No 205: the get LEFT, so its name is free now, not in two minutes.
        await using TamTamClient next = await Nodes.JoinAsync(silo.Uri, link, "getter");
        Assert.Empty(Directory.GetFiles(StateDirectory));
    }

    [Fact]
    public async Task A_listen_that_stopped_is_resumed_by_the_next_listen_of_its_node_with_what_waited_for_it()
    {
        string link = Links.Unique("cli-listen");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        string[] listen = ["listen", Port, "--link", link, "--node", "worker", "--count", "1", "--server", silo.Uri.ToString()];

        var first = new CliTestConsole(_folder);
        Task<int> firstRun = first.RunAsync(listen);
        await SendOnceBoundAsync(sender, "one"u8.ToArray());
        Assert.True(await firstRun.Within(TestTimeout.Batch) == ExitCodes.Success, first.Error);

        // The node stayed in its link: a message sent meanwhile waits in its inbox, and the next listen resumes the session.
        await sender.SendAsync(Port, "two"u8.ToArray()).Within();
        var second = new CliTestConsole(_folder);
        Assert.True(await second.RunAsync(listen).Within(TestTimeout.Batch) == ExitCodes.Success, second.Error);

        Assert.Equal(["one"], first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["two"], second.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("resumed the session", second.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Sends once the receiver has bound the port: until then the link answers 300 NO_ROUTE.</summary>
    private static async Task SendOnceBoundAsync(TamTamClient sender, byte[] payload)
    {
        DateTime until = DateTime.UtcNow + TestTimeout.Default;
        while (true)
        {
            try
            {
                await sender.SendAsync(Port, payload).Within();
                return;
            }
            catch (TamTamException e) when (e.Code == ErrorCode.NoRoute && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task<TransferSnapshot> StagedAsync(Guid id, int atLeast, CliProcess process)
    {
        ITransferGrain transfer = silo.Grains.GetGrain<ITransferGrain>(id);
        DateTime until = DateTime.UtcNow + TestTimeout.Batch;
        while (true)
        {
            TransferSnapshot snapshot = await transfer.GetSnapshotAsync();
            if (snapshot.PartsStaged >= atLeast)
            {
                return snapshot;
            }

            Assert.True(DateTime.UtcNow < until, $"the server held {snapshot.PartsStaged} parts after {TestTimeout.Batch}. CLI:\n{process.Output}");
            await Task.Delay(20);
        }
    }
}
