using System.Buffers.Binary;
using System.Text;
using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Sessions;

/// <summary>
/// A consumer that stops, while messages are sent to it, and comes back as a new session (the README's "stop the
/// consumer, send again, start it again"): its inbox is pushed as soon as it joins, ahead of the answers to its
/// JOIN and BIND, and must drain whatever its size.
/// </summary>
[Collection(BacklogSiloCollection.Name)]
public sealed class ReturningNodeTests(BacklogSiloFixture silo)
{
    private const string Port = "work";

    [Theory]
    [InlineData(50)]
    [InlineData(400)]
    public async Task A_node_that_returns_to_a_backlog_joins_binds_and_drains_it_once_each(int backlog)
    {
        string link = Links.Unique("backlog");
        Guid[] sent = await LeaveBacklogAsync(link, backlog);

        await using TamTamClient consumer = await Nodes.ConnectAsync(silo.Uri);
        await JoinWhenFreeAsync(consumer, link);
        await consumer.BindAsync(Port, PortMode.Unicast).Within();
        await DrainAsync(consumer, sent, TestTimeout.Batch);
    }

    [Fact]
    public async Task A_node_that_returns_to_a_backlog_of_twenty_thousand_drains_it_within_its_bound()
    {
        const int backlog = 20_000;
        TimeSpan bound = TimeSpan.FromMinutes(3);
        string link = Links.Unique("big-backlog");
        Guid[] sent = await LeaveBacklogAsync(link, backlog, bound);

        await using TamTamClient consumer = await Nodes.ConnectAsync(silo.Uri);
        await JoinWhenFreeAsync(consumer, link);
        await consumer.BindAsync(Port, PortMode.Unicast).Within();
        await DrainAsync(consumer, sent, bound);
    }

    [Fact]
    public async Task Listen_with_count_prints_what_was_sent_while_it_was_stopped()
    {
        const int backlog = 50;
        string link = Links.Unique("cli-backlog");
        await (await Nodes.ListenAsync(silo.Uri, link, "worker", Port)).DisposeAsync();

        var send = new CliRun(string.Join('\n', Enumerable.Range(1, backlog)) + "\n");
        Assert.Equal(ExitCodes.Success, await send.RunAsync("send", Port, "--lines", "--link", link, "--server", silo.Uri.ToString())
            .Within(TestTimeout.Batch));

        // Until the stopped listener's session has timed out its name is reserved (205): start again until it is free.
        CliRun listen;
        DateTime giveUp = DateTime.UtcNow + TestTimeout.Batch;
        while (true)
        {
            listen = new CliRun();
            int exit = await listen.RunAsync("listen", Port, "--link", link, "--node", "worker", "--count", $"{backlog}", "--server", silo.Uri.ToString())
                .Within(TestTimeout.Batch);
            if (exit == ExitCodes.Success)
            {
                break;
            }

            Assert.Contains("205", listen.Error, StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow < giveUp, $"listen kept failing: {listen.Error}");
        }

        string[] lines = listen.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, backlog).Select(i => $"{i}"), lines);
    }

    /// <summary>A consumer binds <see cref="Port"/> and goes away without LEAVE; then <paramref name="count"/> messages are sent to it.</summary>
    private async Task<Guid[]> LeaveBacklogAsync(string link, int count, TimeSpan? bound = null)
    {
        await (await Nodes.ListenAsync(silo.Uri, link, "worker", Port)).DisposeAsync();
        await using TamTamClient producer = await Nodes.JoinAsync(silo.Uri, link, "producer");
        var sending = new Task<SendReceipt>[count];
        for (int i = 0; i < count; i++)
        {
            byte[] payload = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(payload, i);
            sending[i] = producer.SendAsync(Port, payload).AsTask();
        }

        SendReceipt[] receipts = await Task.WhenAll(sending).Within(bound ?? TestTimeout.Batch);
        return [.. receipts.Select(r => r.MessageId)];
    }

    /// <summary>JOINs as the worker once its stopped session's reservation has run out (205 until then).</summary>
    private static async Task JoinWhenFreeAsync(TamTamClient consumer, string link)
    {
        DateTime giveUp = DateTime.UtcNow + TestTimeout.Batch;
        while (true)
        {
            try
            {
                await consumer.JoinAsync(link, "worker").Within();
                return;
            }
            catch (TamTamException refused) when (refused.Code == ErrorCode.NameTaken && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task DrainAsync(TamTamClient consumer, Guid[] sent, TimeSpan bound)
    {
        var expected = new HashSet<Guid>(sent);
        var seen = new HashSet<Guid>();
        using var deadline = new CancellationTokenSource(bound);
        await foreach (IncomingMessage message in consumer.ReceiveAsync(deadline.Token))
        {
            Assert.True(expected.Contains(message.MessageId), $"{message.MessageId} was not sent");
            Assert.True(seen.Add(message.MessageId), $"{message.MessageId} came twice");
            await message.AckAsync();
            if (seen.Count == expected.Count)
            {
                break;
            }
        }

        Assert.Equal(expected.Count, seen.Count);
    }

    /// <summary>One run of the <c>tamtam</c> command line, in this process, with its output captured.</summary>
    private sealed class CliRun(string input = "")
    {
        private readonly StringWriter _out = new();
        private readonly StringWriter _error = new();

        public string Out => _out.ToString();

        public string Error => _error.ToString();

        public Task<int> RunAsync(params string[] args)
        {
            var console = new CliConsole(_out, _error, () => new MemoryStream(Encoding.UTF8.GetBytes(input)), _ => null);
            return TamTamCommand.Create(console).Parse(args).InvokeAsync(console.InvocationConfiguration());
        }
    }
}
