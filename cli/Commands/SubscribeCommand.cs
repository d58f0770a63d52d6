using System.CommandLine;
using System.Text.Unicode;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam subscribe &lt;port&gt;</c>: binds the port and prints each stream packet (streaming mode) as one line; the
/// packets lost before one (a gap in its stream's numbering) are said on standard error, or in its JSON.
/// </summary>
internal static class SubscribeCommand
{
    public static Command Create(CliConsole console)
    {
        var port = new Argument<string>("port") { Description = "The port to receive packets of, e.g. telemetry/temp" };
        var subtree = new Option<bool>("--subtree") { Description = "Also receive the packets of every port below <port>" };
        Option<int?> count = CountOption.Create("Exit after this many packets");
        var mode = new Option<PortMode>("--mode", "-m")
        {
            Description = "How the port is bound, should messages be sent to it too (packets reach every binder whatever the mode)",
            DefaultValueFactory = _ => PortMode.Group,
            HelpName = "unicast|group|broadcast",
        };
        var hex = new Option<bool>("--hex") { Description = "Print each payload in hexadecimal instead of as text" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("subscribe", "Receive stream packets on a port and print one line per packet, reporting gaps.");
        command.Arguments.Add(port);
        connection.AddTo(command);
        command.Options.Add(subtree);
        command.Options.Add(count);
        command.Options.Add(mode);
        command.Options.Add(hex);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ServiceClientOptions(parse);
            try
            {
                await using NodeSession session = await NodeSession.OpenAsync(console, options, parse.GetValue(connection.Link)!,
                    connection.NodeName(parse), staysMember: false, resumable: connection.NodeGiven(parse), cancellationToken);
                await session.Client.BindAsync(parse.GetValue(port)!, parse.GetValue(mode), parse.GetValue(subtree), cancellationToken);
                await console.Error.WriteLineAsync($"subscribed to {parse.GetValue(port)} as node {session.Client.Node} of link {session.Client.Link}");
                int received = 0;
                try
                {
                    await foreach (StreamPacket packet in session.Client.ReceiveStreamAsync(cancellationToken))
                    {
                        await WriteAsync(output, packet, parse.GetValue(hex));
                        await console.Out.FlushAsync(cancellationToken);
                        if (++received == parse.GetValue(count))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C: a clean stop.
                }

                await session.LeaveAsync(options.RequestTimeout);
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
        });
        return command;
    }

    private static async Task WriteAsync(CliOutput output, StreamPacket packet, bool hex)
    {
        if (output.Json)
        {
            await output.ObjectAsync(json =>
            {
                json.WriteString("id", packet.PacketId);
                json.WriteString("link", packet.Link);
                json.WriteString("port", packet.Port);
                json.WriteBoolean("subtree", packet.Subtree);
                json.WriteNumber("sequence", packet.Sequence);
                json.WriteNumber("lost_before", packet.LostBefore);
                json.WriteNumber("ttl", packet.Ttl);
                json.WriteBase64String("payload", packet.Payload.Span);
                if (Utf8.IsValid(packet.Payload.Span))
                {
                    json.WriteString("text", packet.Payload.Span);
                }
            });
            return;
        }

        if (packet.LostBefore > 0)
        {
            await output.Console.Error.WriteLineAsync($"{packet.LostBefore} packet{(packet.LostBefore == 1 ? string.Empty : "s")} of {packet.Link}:{packet.Port} lost before #{packet.Sequence}");
        }

        await output.LineAsync(hex ? Convert.ToHexStringLower(packet.Payload.Span) : MessageFormatter.EscapeText(packet.Payload.Span));
    }
}
