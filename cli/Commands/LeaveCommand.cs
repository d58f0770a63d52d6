using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam leave</c>: ends the node <c>tamtam join</c> made current (or the one <c>--link</c>/<c>--node</c> name): takes
/// its session back, LEAVEs the link — its bindings go, what waited in its inbox goes back to the link — and forgets it.
/// </summary>
internal static class LeaveCommand
{
    public static Command Create(CliConsole console)
    {
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: true);
        var command = new Command("leave", "Leave the link as the joined node (or --link/--node): its name is free, its bindings and inbox go.");
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ClientOptions(parse);
            string link = parse.GetValue(connection.Link)!;
            string node = parse.GetValue(connection.Node)!;
            try
            {
                await using (NodeSession session = await NodeSession.OpenAsync(console, options, link, node, staysMember: false, resumable: true, cancellationToken))
                {
                    await session.Client.LeaveAsync(cancellationToken);
                    session.Forget();
                }

                if (JoinedSession.Read(console)?.Is(options.Uri, link, node) == true)
                {
                    JoinedSession.Forget(console);
                }

                await output.WriteAsync(
                    () => $"left link {link} as node {node}",
                    json =>
                    {
                        json.WriteString("server", options.Uri.AbsoluteUri);
                        json.WriteString("link", link);
                        json.WriteString("node", node);
                    });
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
}
