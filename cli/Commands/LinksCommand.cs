using System.CommandLine;
using System.Globalization;
using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary><c>tamtam links</c>: the links of the interchange with their member count and last sequence (LINKS).</summary>
internal static class LinksCommand
{
    public static Command Create(CliConsole console)
    {
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("links", "List the interchange's links: member nodes and the last sequence each assigned.");
        connection.AddTo(command, withLink: false, withNode: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            return await QueryConnection.RunAsync(output, connection.ClientOptions(parse), async client =>
            {
                LinkList list = await client.ListLinksAsync(cancellationToken);
                await WriteAsync(output, list);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static async Task WriteAsync(CliOutput output, LinkList list)
    {
        if (output.Json)
        {
            await output.ObjectAsync(json =>
            {
                json.WriteStartArray("links");
                foreach (LinkInfo link in list.Links)
                {
                    json.WriteStartObject();
                    json.WriteString("link", link.Name);
                    json.WriteNumber("nodes", link.Nodes);
                    json.WriteNumber("sequence", link.Sequence);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteBoolean("truncated", list.Truncated);
            });
            return;
        }

        if (list.Links.Count == 0)
        {
            await output.LineAsync("no links");
            return;
        }

        await output.TableAsync(["LINK", "NODES", "SEQUENCE"],
            list.Links.Select(link => (IReadOnlyList<string>)[link.Name, link.Nodes.ToString(CultureInfo.InvariantCulture), link.Sequence.ToString(CultureInfo.InvariantCulture)]));
        if (list.Truncated)
        {
            await output.LineAsync("(more links exist than one answer holds)");
        }
    }
}
