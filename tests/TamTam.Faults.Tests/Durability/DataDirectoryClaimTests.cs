using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// One data directory, one cluster: a second standalone silo started on a directory a running one holds is refused
/// before it touches anything there — the executable exits with code 3 naming the directory, an embedding host gets
/// <see cref="DataDirectoryInUseException"/> — and the running one serves on. The claim ends with its holder, a
/// SIGKILL included; the secondaries of a localhost cluster share their primary's directory and claim nothing.
/// </summary>
public sealed class DataDirectoryClaimTests
{
    private const string Port = "work";

    [Fact]
    public async Task A_second_silo_on_a_data_directory_in_use_exits_with_code_3_naming_it_and_the_first_keeps_its_messages()
    {
        using var data = new DataDirectory();
        string link = Links.Unique("claim");
        Guid accepted;
        await using (SiloProcess first = await SiloProcess.StartAsync(data.Path))
        {
            await (await Nodes.ListenAsync(first.Uri, link, "consumer", Port)).DisposeAsync();
            (int exitCode, string output) = await SiloProcess.RunToExitAsync(data.Path);
            Assert.True(exitCode == 3, $"the second silo exited with {exitCode}:\n{output}");
            Assert.Contains($"the data directory {data.Path} is in use by another silo", output, StringComparison.Ordinal);

            await using TamTamClient producer = await Nodes.JoinAsync(first.Uri, link, "producer");
            accepted = (await producer.SendAsync(Port, Nodes.Payload(64)).AsTask().Within()).MessageId;
            await first.KillAsync();
        }

        // The process's death released its claim: a silo starts on the directory again and delivers what the first accepted.
        await using SiloProcess second = await SiloProcess.StartAsync(data.Path);
        await using TamTamClient consumer = await Nodes.JoinAsync(second.Uri, link, "consumer");
        using var timeout = new CancellationTokenSource(TestTimeout.Batch);
        await foreach (IncomingMessage message in consumer.ReceiveAsync(timeout.Token))
        {
            Assert.Equal(accepted, message.MessageId);
            await message.AckAsync(timeout.Token);
            break;
        }
    }

    [Fact]
    public async Task An_embedded_second_primary_is_refused_a_secondary_shares_the_directory_and_a_disposed_silo_releases_it()
    {
        using var data = new DataDirectory();
        int primaryPort = TamTam.Testing.FreePorts.Next();
        await using (InProcessSilo primary = await InProcessSilo.StartAsync(data.Path, $"--TamTam:Cluster:SiloPort={primaryPort}"))
        {
            DataDirectoryInUseException refused = await Assert.ThrowsAsync<DataDirectoryInUseException>(() => InProcessSilo.StartAsync(data.Path));
            Assert.Equal(Path.Combine(data.Path, "primary.lock"), refused.ClaimFile);

            await using InProcessSilo secondary = await InProcessSilo.StartAsync(data.Path, $"--TamTam:Cluster:PrimarySiloPort={primaryPort}");
            await using TamTamClient node = await Nodes.JoinAsync(secondary.Uri, Links.Unique("claim"), "n1");
        }

        await using InProcessSilo again = await InProcessSilo.StartAsync(data.Path);
        await using TamTamClient joined = await Nodes.JoinAsync(again.Uri, Links.Unique("claim"), "n1");
    }
}
