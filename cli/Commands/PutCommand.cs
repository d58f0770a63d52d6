using System.CommandLine;
using TamTam.Cli.Output;
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
        var id = new Option<Guid?>("--id") { Description = "The message id; give the id of an upload cut short (and the same --node) to resume it" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the final state and print it" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("put", "Send a file as one message, in parts when large, with a progress bar.");
        command.Arguments.Add(link);
        command.Arguments.Add(port);
        command.Arguments.Add(file);
        connection.AddTo(command, withLink: false);
        command.Options.Add(id);
        command.Options.Add(wait);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                FileInfo source = parse.GetValue(file)!;
                Guid messageId = parse.GetValue(id) ?? Guid.CreateVersion7();
                await using TamTamClient client = await TamTamClient.ConnectAsync(connection.ClientOptions(parse), cancellationToken);
                await client.JoinAsync(parse.GetValue(link)!, connection.NodeName(parse), cancellationToken);
                await using FileStream content = source.OpenRead();
                SendReceipt receipt = await TransferProgressBar.RunAsync(console, $"put {source.Name}", content.Length, progress =>
                    client.SendStreamAsync(parse.GetValue(port)!, content, new SendOptions { MessageId = messageId },
                        new TransferOptions { Progress = progress }, cancellationToken));
                await console.Out.WriteLineAsync($"{receipt.MessageId} #{receipt.Sequence}{(receipt.Duplicate ? " (duplicate)" : "")}");
                if (!parse.GetValue(wait))
                {
                    return ExitCodes.Success;
                }

                MessageStatus status = await receipt.Completion.WaitAsync(cancellationToken);
                await console.Out.WriteLineAsync($"{status.MessageId} {status.State.WireName()} {status.Confirmed}/{status.Recipients}");
                return status.State == Protocol.FinalState.Delivered ? ExitCodes.Success : ExitCodes.NotDelivered;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                await console.ReportAsync(exception);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
