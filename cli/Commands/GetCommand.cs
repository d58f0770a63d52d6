using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam get &lt;link&gt; &lt;port&gt; &lt;file&gt; --node &lt;name&gt;</c>: binds the port, receives one message into
/// the file with a progress bar, checks its SHA-256 and acknowledges it. Run it again after an interruption: the
/// message comes again and only its missing parts are fetched into the same file.
/// </summary>
internal static class GetCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string>("link") { Description = "The link to join" };
        var port = new Argument<string>("port") { Description = "The port to receive on (bound as unicast unless --mode says otherwise)" };
        var file = new Argument<FileInfo>("file") { Description = "Where the payload goes" };
        var mode = new Option<PortMode>("--mode") { Description = "How the port is bound: Unicast, Group or Broadcast", DefaultValueFactory = _ => PortMode.Unicast };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: true);

        var command = new Command("get", "Receive one message into a file, in parts when large, with a progress bar; resumable.");
        command.Arguments.Add(link);
        command.Arguments.Add(port);
        command.Arguments.Add(file);
        connection.AddTo(command, withLink: false);
        command.Options.Add(mode);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            try
            {
                FileInfo target = parse.GetValue(file)!;
                TamTamClientOptions options = connection.ClientOptions(parse);
                await using NodeSession session = await NodeSession.OpenAsync(console, options, parse.GetValue(link)!, connection.NodeName(parse),
                    staysMember: false, resumable: true, cancellationToken);
                bool received;
                try
                {
                    received = await GetAsync(output, session.Client, parse.GetValue(port)!, parse.GetValue(mode), target, cancellationToken);
                }
                catch (TamTamException refused) when (refused is not TamTamConnectionException)
                {
                    await session.LeaveAsync(options.RequestTimeout);
                    throw;
                }

                if (!received)
                {
                    return ExitCodes.Failure;
                }

                // Done: the node's name is free at once, rather than held for the session timeout.
                await session.LeaveAsync(options.RequestTimeout);
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                await output.ReportAsync(exception);
                return ExitCodes.Failure;
            }
        });
        return command;

        async Task<bool> GetAsync(CliOutput output, TamTamClient client, string bound, PortMode portMode, FileInfo target, CancellationToken cancellationToken)
        {
            // A resumed session has its binding already: binding it again changes nothing.
            await client.BindAsync(bound, portMode, cancellationToken: cancellationToken);
            await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
            {
                // A redelivery continues what an interrupted get left in the file; a first delivery starts it afresh.
                await using var destination = new FileStream(target.FullName, message.IsRedelivery ? FileMode.OpenOrCreate : FileMode.Create,
                    FileAccess.ReadWrite, FileShare.None);
                await TransferProgressBar.RunAsync(console, $"get {target.Name}", message.PayloadLength, async progress =>
                {
                    await message.ReceivePayloadAsync(destination, progress, cancellationToken);
                    return true;
                });
                destination.SetLength(message.PayloadLength);
                await message.AckAsync(cancellationToken);
                await output.WriteAsync(
                    () => $"{message.MessageId} {message.PayloadLength} bytes from {message.SourceLink}:{message.SourceNode} → {target.FullName}",
                    json =>
                    {
                        json.WriteString("id", message.MessageId);
                        json.WriteNumber("bytes", message.PayloadLength);
                        json.WriteString("source", $"{message.SourceLink}:{message.SourceNode}");
                        json.WriteString("path", target.FullName);
                    });
                await client.UnbindAsync(bound, cancellationToken: cancellationToken);
                return true;
            }

            return false;
        }
    }
}
