using System.CommandLine;
using System.Text;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam broadcast &lt;text&gt;</c>: a durable message to every other node of the link. It binds the port (default
/// <c>broadcast</c>) in broadcast mode itself, which makes the port a broadcast port (docs/protocol.md 5.9) even when no
/// one else has bound it, sends, and unbinds. A port already bound in another mode is refused with 301.
/// </summary>
internal static class BroadcastCommand
{
    public const string DefaultPort = "broadcast";

    public static Command Create(CliConsole console)
    {
        var text = new Argument<string?>("text") { Description = "The message; when omitted, standard input is sent", Arity = ArgumentArity.ZeroOrOne };
        var port = new Option<string>("--port", "-p") { Description = "The broadcast port receivers see the message on", DefaultValueFactory = _ => DefaultPort };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the final state: how many nodes confirmed it" };
        var ttl = DurationOption.Create("--ttl", "Expire the message this long after acceptance, e.g. 30s, 5m", TimeSpan.Zero);
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("broadcast", "Send a message to every other node of the link (on a broadcast port, 'broadcast' by default).");
        command.Arguments.Add(text);
        connection.AddTo(command);
        command.Options.Add(port);
        command.Options.Add(wait);
        command.Options.Add(ttl);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ClientOptions(parse);
            string bound = parse.GetValue(port)!;
            try
            {
                byte[] payload = parse.GetValue(text) is { } given ? Encoding.UTF8.GetBytes(given) : await ReadAllAsync(console, cancellationToken);
                await using NodeSession session = await NodeSession.OpenAsync(console, options, parse.GetValue(connection.Link)!,
                    connection.NodeName(parse), staysMember: false, resumable: connection.NodeGiven(parse), cancellationToken);
                TamTamClient client = session.Client;
                await client.BindAsync(bound, PortMode.Broadcast, cancellationToken: cancellationToken);
                int exitCode;
                try
                {
                    TimeSpan lifetime = parse.GetValue(ttl);
                    SendReceipt receipt = await client.SendAsync(bound, payload, new SendOptions { Ttl = lifetime > TimeSpan.Zero ? lifetime : null }, cancellationToken);
                    await SendOutput.ReceiptAsync(output, receipt);
                    exitCode = ExitCodes.Success;
                    if (parse.GetValue(wait))
                    {
                        MessageStatus status = await receipt.Completion.WaitAsync(cancellationToken);
                        exitCode = await SendOutput.StatusAsync(output, status);
                    }
                }
                finally
                {
                    await client.UnbindAsync(bound, cancellationToken: CancellationToken.None);
                }

                await session.LeaveAsync(options.RequestTimeout);
                return exitCode;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                await output.ReportAsync(exception is TamTamException { Code: ErrorCode.PortModeConflict } conflict
                    ? new TamTamException(conflict.Code, $"{conflict.Detail}: port {bound} is bound in another mode; broadcast to another --port", conflict)
                    : exception);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task<byte[]> ReadAllAsync(CliConsole console, CancellationToken cancellationToken)
    {
        await using Stream input = console.OpenInput();
        using var whole = new MemoryStream();
        await input.CopyToAsync(whole, cancellationToken);
        return whole.ToArray();
    }
}
