using System.CommandLine;
using System.Security.Cryptography;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam join &lt;link&gt; [--node N]</c>: joins the link and keeps the node as this user's current one — its session
/// saved, the node a member after the command ends. Later commands without <c>--link</c>/<c>--node</c> act as that node
/// (and resume its session), and never LEAVE it; <c>tamtam leave</c> does.
/// </summary>
internal static class JoinCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string>("link") { Description = "The link to join" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        connection.Node.Description = "The node's name in the link (default: $TAMTAM_NODE, the config file's node, else cli-<random>)";
        var command = new Command("join", "Join a link as a node that later commands act as, until tamtam leave.");
        command.Arguments.Add(link);
        connection.AddTo(command, withLink: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ClientOptions(parse);
            string linkName = parse.GetValue(link)!;

            // --node, $TAMTAM_NODE, the config file's node (or the joined node, joining its link again); else a new name.
            string node = parse.GetValue(connection.Node) is { Length: > 0 } given ? given : $"cli-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            if (JoinedSession.Read(console) is { } current && !current.Is(options.Uri, linkName, node))
            {
                await output.ReportAsync($"already joined as node {current.Node} of link {current.Link} at {current.Server}: tamtam leave first");
                return ExitCodes.Failure;
            }

            var joined = new JoinedSession(options.Uri.AbsoluteUri, linkName, node);
            try
            {
                // Saved first, so that the session opens as one that stays: nothing below LEAVEs it.
                joined.Save(console);
                bool resumed;
                await using (NodeSession session = await NodeSession.OpenAsync(console, options, linkName, node, staysMember: true, resumable: true, cancellationToken))
                {
                    resumed = session.Client.IsResumed;
                }

                await output.WriteAsync(
                    () => $"joined link {linkName} as node {node} at {options.Uri}{(resumed ? " (resumed)" : string.Empty)}; later commands act as this node until tamtam leave",
                    json =>
                    {
                        json.WriteString("server", options.Uri.AbsoluteUri);
                        json.WriteString("link", linkName);
                        json.WriteString("node", node);
                        json.WriteBoolean("resumed", resumed);
                    });
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                JoinedSession.Forget(console);
                await output.ReportAsync(exception);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
