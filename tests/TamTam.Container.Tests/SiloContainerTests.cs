using System.Text;
using System.Text.Json;
using TamTam.Client;
using TamTam.Container.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.Container.Tests;

/// <summary>
/// One silo in the image as a user runs it (read-only root filesystem, settings from the environment, data on the
/// image's volume): it becomes ready, the tamtam command on the host exchanges acknowledged messages with it both
/// ways, and SIGTERM stops it gracefully within the stop timeout.
/// </summary>
[Collection(SiloImageCollection.Name)]
public sealed class SiloContainerTests(SiloImage image, ITestOutputHelper output) : IDisposable
{
    private const string Port = "inbox";

    // The tamtam command's exit code for success (with --wait: every message DELIVERED).
    private const int Success = 0;

    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-container-cli-").FullName;

    [SkippableFact]
    public async Task A_silo_container_serves_acknowledged_messages_to_the_cli_on_the_host_and_stops_gracefully_on_SIGTERM()
    {
        SkipUnlessPodmanRuns(image, output);
        await using var container = new SiloContainer($"tamtam-test-{Guid.NewGuid():N}"[..24], new Dictionary<string, string>());
        await container.StartAsync();
        try
        {
            Assert.Equal("1654:1654", await container.InspectAsync("{{.Config.User}}"));
            Assert.Equal("true", await container.InspectAsync("{{.HostConfig.ReadonlyRootfs}}"));

            // The image's warm-up ran to its end on the read-only root, before the listeners opened (silo/README.md, "Warm-up").
            Assert.Contains("Warmed up: 200000 messages delivered", container.Output, StringComparison.Ordinal);
            Assert.True(container.Output.IndexOf("Warmed up:", StringComparison.Ordinal) < container.Output.IndexOf("interchange listening", StringComparison.Ordinal),
                "the listeners opened before the warm-up ended");
            string link = Links.Unique("container");

            // Host CLI to an SDK receiver: `send --wait` ends when the receiver has acknowledged (DELIVERED).
            await using (TamTamClient receiver = await Nodes.ListenAsync(container.Uri, link, "receiver", Port))
            {
                Task<List<string>> received = ReceiveAsync(receiver, 3);
                for (int i = 0; i < 3; i++)
                {
                    var send = new CliTestConsole(_folder);
                    int sent = await send.RunAsync("send", Port, $"to the container {i}", "--wait", "--json", "--link", link, "--node", "cli-sender",
                        "--server", container.Uri.ToString()).Within(TestTimeout.Batch);
                    Assert.True(sent == Success, $"tamtam send exited {sent}: {send.Error}");
                    using JsonDocument status = JsonDocument.Parse(send.OutLines[^1]);
                    Assert.Equal("DELIVERED", status.RootElement.GetProperty("state").GetString());
                }

                Assert.Equal(["to the container 0", "to the container 1", "to the container 2"], await received.Within(TestTimeout.Batch));
                await receiver.LeaveAsync().Within();
            }

            // SDK sender to the host CLI: `listen` acknowledges each message it prints; the sender sees DELIVERED.
            var listen = new CliTestConsole(_folder);
            Task<int> listening = listen.RunAsync("listen", Port, "--count", "2", "--leave", "--link", link, "--node", "cli-listener",
                "--server", container.Uri.ToString());
            await using (TamTamClient sender = await Nodes.JoinAsync(container.Uri, link, "sender"))
            {
                Assert.Equal(FinalState.Delivered, (await SendWhenBoundAsync(sender, "from the container 0")).State);
                Assert.Equal(FinalState.Delivered, (await SendWhenBoundAsync(sender, "from the container 1")).State);
            }

            Assert.Equal(Success, await listening.Within(TestTimeout.Batch));
            Assert.Equal(["from the container 0", "from the container 1"], listen.OutLines);
        }
        catch
        {
            output.WriteLine(container.Output);
            throw;
        }

        (TimeSpan took, int exitCode) = await container.StopAsync();
        output.WriteLine($"podman stop took {took.TotalMilliseconds:F0} ms, exit code {exitCode}");
        Assert.True(exitCode == 0, $"the silo did not exit by itself on SIGTERM (exit code {exitCode}). Its output:\n{container.Output}");
        Assert.True(took < SiloContainer.StopTimeout, $"the stop took {took}");
        Assert.Contains("TamTam interchange stopped", container.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Skips, saying why in the test's output and its skip reason, when podman cannot run containers here.</summary>
    internal static void SkipUnlessPodmanRuns(SiloImage image, ITestOutputHelper output)
    {
        if (image.SkipReason is not null)
        {
            output.WriteLine($"SKIPPED: {image.SkipReason}");
        }

        Skip.If(image.SkipReason is not null, $"podman cannot run containers here: {image.SkipReason}");
    }

    private static async Task<List<string>> ReceiveAsync(TamTamClient receiver, int count)
    {
        var texts = new List<string>();
        await foreach (IncomingMessage message in receiver.ReceiveAsync())
        {
            texts.Add(Encoding.UTF8.GetString(message.Payload.Span));
            await message.AckAsync();
            if (texts.Count == count)
            {
                break;
            }
        }

        return texts;
    }

    /// <summary>Sends until the listener's binding exists (300 NO_ROUTE before: listen binds as it starts), then waits for the final state.</summary>
    private static async Task<MessageStatus> SendWhenBoundAsync(TamTamClient sender, string text)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                SendReceipt receipt = await sender.SendAsync(Port, Encoding.UTF8.GetBytes(text)).Within();
                return await receipt.Completion.Within(TestTimeout.Batch);
            }
            catch (TamTamException exception) when (exception.Code == ErrorCode.NoRoute && attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }
}
