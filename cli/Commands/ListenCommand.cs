using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam listen &lt;port&gt;</c>: binds the port and writes one line per message to standard output. Each
/// line is written and flushed before the message is acknowledged, so <c>tamtam listen | handler</c> loses
/// nothing: a message whose line could not be written is not acknowledged and is delivered again.
/// </summary>
internal static class ListenCommand
{
    public static Command Create(CliConsole console)
    {
        var port = new Argument<string>("port") { Description = "The port to receive on, e.g. orders/eu" };
        var mode = new Option<PortMode>("--mode", "-m")
        {
            Description = "unicast: one listener gets each message; group: every listener; broadcast: every node of the link but the sender",
            DefaultValueFactory = _ => PortMode.Unicast,
            HelpName = "unicast|group|broadcast",
        };
        var subtree = new Option<bool>("--subtree") { Description = "Also receive for every port below <port>" };
        Option<int?> count = CountOption.Create("Exit after this many messages");
        var leave = new Option<bool>("--leave")
        {
            Description = "Leave the link on exit: the binding goes, and what waits for this node goes to other listeners. " +
                "Without it the node stays a member and its inbox waits for it to come back.",
        };
        var format = new Option<MessageFormat>("--format", "-f")
        {
            Description = "text: the payload (\\n-escaped); json: an object per line; hex: the payload in hex",
            DefaultValueFactory = _ => MessageFormat.Text,
            HelpName = "text|json|hex",
        };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: true);

        var command = new Command("listen", "Receive messages on a port and print one line per message (acknowledged once printed).");
        command.Arguments.Add(port);
        connection.AddTo(command);
        command.Options.Add(mode);
        command.Options.Add(subtree);
        command.Options.Add(count);
        command.Options.Add(format);
        command.Options.Add(leave);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);

            // --json is --format json: the one JSON form of a message.
            var request = new ListenRequest(parse.GetValue(port)!, parse.GetValue(mode), parse.GetValue(subtree), parse.GetValue(count),
                output.Json ? MessageFormat.Json : parse.GetValue(format), parse.GetValue(leave));
            TamTamClientOptions options = connection.ServiceClientOptions(parse);
            return await RunAsync(output, options, parse.GetValue(connection.Link)!, connection.NodeName(parse), request, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(CliOutput output, TamTamClientOptions options, string link, string node, ListenRequest request,
        CancellationToken cancellationToken)
    {
        CliConsole console = output.Console;
        try
        {
            // Without --leave the node stays in its link, and the next listen of it resumes this session at once.
            await using NodeSession session = await NodeSession.OpenAsync(console, options, link, node, staysMember: !request.Leave, resumable: true, cancellationToken);
            TamTamClient client = session.Client;
            await client.BindAsync(request.Port, request.Mode, request.Subtree, cancellationToken);
            int received = 0;
            try
            {
                await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
                {
                    await console.Out.WriteLineAsync(MessageFormatter.Format(message, request.Format));
                    await console.Out.FlushAsync(cancellationToken);
                    await message.AckAsync(cancellationToken);
                    if (++received == request.Count)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: a clean stop. Messages received but not printed were not acknowledged.
            }

            if (request.Leave)
            {
                // Leaving hands what is still buffered here back to the link instead of holding it for a return.
                await session.LeaveAsync(options.RequestTimeout, evenIfKept: true);
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            await output.ReportAsync(exception);
            return ExitCodes.Failure;
        }
    }
}
