using System.CommandLine;
using System.Globalization;
using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam nodes [link]</c>: the member nodes of a link (NODES) — connected or not, their round trip and the deliveries
/// waiting in their inbox. Asks without joining.
/// </summary>
internal static class NodesCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string?>("link") { Description = "The link (default: --link, $TAMTAM_LINK, the config file's link or the joined one)", Arity = ArgumentArity.ZeroOrOne };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("nodes", "List the nodes of a link: online or not, round trip, deliveries pending in their inbox.");
        command.Arguments.Add(link);
        connection.AddTo(command, withLink: false, withNode: false);
        command.Options.Add(connection.Link);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            string? name = parse.GetValue(link) is { Length: > 0 } given ? given : parse.GetValue(connection.Link);
            if (string.IsNullOrEmpty(name))
            {
                await output.ReportAsync($"name a link: tamtam nodes <link> (or --link, {ConnectionOptions.LinkVariable}, the config file's link)");
                return ExitCodes.Failure;
            }

            return await QueryConnection.RunAsync(output, connection.ClientOptions(parse), async client =>
            {
                NodeList list = await client.ListNodesAsync(name, cancellationToken);
                await WriteAsync(output, name, list);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    internal static async Task WriteAsync(CliOutput output, string link, NodeList list)
    {
        if (output.Json)
        {
            await output.ObjectAsync(json =>
            {
                json.WriteString("link", link);
                json.WriteStartArray("nodes");
                foreach (NodeInfo node in list.Nodes)
                {
                    json.WriteStartObject();
                    WriteNode(json, node);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteBoolean("truncated", list.Truncated);
            });
            return;
        }

        if (list.Nodes.Count == 0)
        {
            await output.LineAsync($"no nodes in link {link}");
            return;
        }

        await output.TableAsync(["NODE", "ONLINE", "RTT", "PENDING"], list.Nodes.Select(Row));
        if (list.Truncated)
        {
            await output.LineAsync("(more nodes exist than one answer holds)");
        }
    }

    internal static IReadOnlyList<string> Row(NodeInfo node) =>
        [node.Name, node.Online ? "yes" : "no", node.RoundTrip is { } rtt ? QueryConnection.Milliseconds(rtt) : "-", node.Pending.ToString(CultureInfo.InvariantCulture)];

    internal static void WriteNode(System.Text.Json.Utf8JsonWriter json, NodeInfo node)
    {
        json.WriteString("node", node.Name);
        json.WriteBoolean("online", node.Online);
        if (node.RoundTrip is { } rtt)
        {
            json.WriteNumber("rtt_ms", QueryConnection.RoundedMilliseconds(rtt));
        }
        else
        {
            json.WriteNull("rtt_ms");
        }

        json.WriteNumber("pending", node.Pending);
    }
}
