using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam put &lt;link&gt; &lt;port&gt; &lt;file&gt;</c>: sends a file as one message (parted above the server's part
/// size) with a progress bar, and prints its receipt; <c>--id</c> resumes an upload cut short.
/// </summary>
internal static class PutCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string>("link") { Description = "The link to join and send in" };
        var port = new Argument<string>("port") { Description = "The destination port" };
        var file = new Argument<FileInfo>("file") { Description = "The file to send" };
        var id = new Option<Guid?>("--id") { Description = "The message id; give the id of an upload cut short (and its --node, if one was given) to resume it" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the final state and print it" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        connection.Node.Description = "This node's name in the link (default: put-<message id>, so that --id alone resumes)";

        var command = new Command("put", "Send a file as one message, in parts when large, with a progress bar.");
        command.Arguments.Add(link);
        command.Arguments.Add(port);
        command.Arguments.Add(file);
        connection.AddTo(command, withLink: false);
        command.Options.Add(id);
        command.Options.Add(wait);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            try
            {
                FileInfo source = parse.GetValue(file)!;
                Guid messageId = parse.GetValue(id) ?? Guid.CreateVersion7();

                // Without --node the node is named for the message: --id alone finds the same node, and its saved session, again.
                string? givenNode = parse.GetValue(connection.Node) is { Length: > 0 } given ? given : null;
                string node = givenNode ?? NodeFor(messageId);
                await console.Error.WriteLineAsync(
                    $"message {messageId} from node {node}: if this is cut short, run the same command with --id {messageId}{(givenNode is null ? "" : " and the same --node")}");
                TamTamClientOptions options = connection.ClientOptions(parse);
                await using NodeSession session = await NodeSession.OpenAsync(console, options, parse.GetValue(link)!, node, staysMember: false,
                    resumable: true, cancellationToken);
                int exitCode;
                try
                {
                    exitCode = await PutAsync(output, session.Client, parse.GetValue(port)!, source, messageId, parse.GetValue(wait), cancellationToken);
                }
                catch (TamTamException refused) when (refused is not TamTamConnectionException)
                {
                    // Refused, with the session intact: nothing to resume but the upload, which is the message's, not the session's.
                    await session.LeaveAsync(options.RequestTimeout);
                    throw;
                }

                await session.LeaveAsync(options.RequestTimeout);
                return exitCode;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                await output.ReportAsync(exception);
                return ExitCodes.Failure;
            }
        });
        return command;

        async Task<int> PutAsync(CliOutput output, TamTamClient client, string destination, FileInfo source, Guid messageId, bool waitForState,
            CancellationToken cancellationToken)
        {
            await using FileStream content = source.OpenRead();
            SendReceipt receipt = await TransferProgressBar.RunAsync(console, $"put {source.Name}", content.Length, progress =>
                client.SendStreamAsync(destination, content, new SendOptions { MessageId = messageId },
                    new TransferOptions { Progress = progress }, cancellationToken));
            if (output.Json)
            {
                await SendOutput.ReceiptAsync(output, receipt);
            }
            else
            {
                await console.Out.WriteLineAsync($"{receipt.MessageId} #{receipt.Sequence}{(receipt.Duplicate ? " (duplicate)" : "")}");
            }

            if (!waitForState)
            {
                return ExitCodes.Success;
            }

            MessageStatus status = await receipt.Completion.WaitAsync(cancellationToken);
            if (output.Json)
            {
                return await SendOutput.StatusAsync(output, status);
            }

            await console.Out.WriteLineAsync($"{status.MessageId} {status.State.WireName()} {status.Confirmed}/{status.Recipients}");
            return status.State == Protocol.FinalState.Delivered ? ExitCodes.Success : ExitCodes.NotDelivered;
        }
    }

    /// <summary>The node a put without <c>--node</c> sends as: one per message id (36 bytes, within a name's 64).</summary>
    internal static string NodeFor(Guid messageId) => $"put-{messageId:N}";
}
