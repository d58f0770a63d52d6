using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using TamTam.Cli.Commands;
using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Monitoring;

/// <summary>Shows a <see cref="MonitorSnapshot"/>: as plain text or JSON for one snapshot, as Spectre.Console tables live.</summary>
internal static class MonitorView
{
    public static async Task WriteAsync(CliOutput output, MonitorSnapshot snapshot)
    {
        if (output.Json)
        {
            await output.ObjectAsync(json => WriteJson(json, snapshot));
            return;
        }

        await output.LineAsync(Headline(snapshot));
        await output.LineAsync(string.Empty);
        if (snapshot.Links.Count == 0)
        {
            await output.LineAsync("no links");
        }
        else
        {
            await output.TableAsync(["LINK", "NODES", "SEQUENCE", "MSG/S"], snapshot.Links.Select(l => (IReadOnlyList<string>)
                [l.Link.Name, Number(l.Link.Nodes), Number(l.Link.Sequence), Rate(l.MessagesPerSecond)]));
        }

        if (snapshot.Nodes.Count > 0)
        {
            await output.LineAsync(string.Empty);
            await output.TableAsync(["LINK", "NODE", "ONLINE", "RTT", "PENDING"],
                snapshot.Nodes.SelectMany(l => l.Nodes.Nodes.Select(n => (IReadOnlyList<string>)[l.Link, .. NodesCommand.Row(n)])));
        }
    }

    /// <summary>The live view: a headline and two tables.</summary>
    public static IRenderable Render(MonitorSnapshot snapshot)
    {
        var links = new Table().Border(TableBorder.Rounded).Title("links").AddColumns("link", "nodes", "sequence", "msg/s");
        links.Columns[1].RightAligned();
        links.Columns[2].RightAligned();
        links.Columns[3].RightAligned();
        foreach (LinkRate link in snapshot.Links)
        {
            links.AddRow(Markup.Escape(link.Link.Name), Number(link.Link.Nodes), Number(link.Link.Sequence), Rate(link.MessagesPerSecond));
        }

        var nodes = new Table().Border(TableBorder.Rounded).Title("nodes").AddColumns("link", "node", "online", "rtt", "pending");
        nodes.Columns[4].RightAligned();
        foreach (LinkNodes link in snapshot.Nodes)
        {
            foreach (NodeInfo node in link.Nodes.Nodes)
            {
                IReadOnlyList<string> row = NodesCommand.Row(node);
                nodes.AddRow(Markup.Escape(link.Link), Markup.Escape(row[0]), node.Online ? "[green]yes[/]" : "[grey]no[/]", row[2], row[3]);
            }
        }

        return new Rows(
            new Markup($"[bold]tamtam monitor[/] {Markup.Escape(Headline(snapshot))}"),
            links,
            nodes,
            new Markup("[grey]q or Ctrl+C to quit[/]"));
    }

    private static string Headline(MonitorSnapshot snapshot)
    {
        string sessions = snapshot.Health.Figures.TryGetValue("silo.sessions", out long count) ? Number(count) : "-";
        return $"{snapshot.Server} ({snapshot.ServerName}) {HealthCommand.NameOf(snapshot.Health.State)}, sessions {sessions}, " +
            $"in {Rate(snapshot.MessagesInPerSecond)} msg/s, out {Rate(snapshot.MessagesOutPerSecond)} msg/s, at {snapshot.At:HH:mm:ss}";
    }

    private static void WriteJson(Utf8JsonWriter json, MonitorSnapshot snapshot)
    {
        json.WriteString("at", snapshot.At);
        json.WriteString("server", snapshot.Server);
        json.WriteString("server_name", snapshot.ServerName);
        json.WriteString("state", HealthCommand.NameOf(snapshot.Health.State));
        WriteRate(json, "messages_in_per_second", snapshot.MessagesInPerSecond);
        WriteRate(json, "messages_out_per_second", snapshot.MessagesOutPerSecond);
        json.WriteStartObject("figures");
        foreach ((string key, long value) in snapshot.Health.Figures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(key, value);
        }

        json.WriteEndObject();
        json.WriteStartArray("links");
        foreach (LinkRate link in snapshot.Links)
        {
            json.WriteStartObject();
            json.WriteString("link", link.Link.Name);
            json.WriteNumber("nodes", link.Link.Nodes);
            json.WriteNumber("sequence", link.Link.Sequence);
            WriteRate(json, "messages_per_second", link.MessagesPerSecond);
            json.WriteStartArray("members");
            foreach (NodeInfo node in snapshot.Nodes.FirstOrDefault(n => n.Link == link.Link.Name)?.Nodes.Nodes ?? [])
            {
                json.WriteStartObject();
                NodesCommand.WriteNode(json, node);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("links_truncated", snapshot.LinksTruncated);
    }

    private static void WriteRate(Utf8JsonWriter json, string name, double? rate)
    {
        if (rate is { } value)
        {
            json.WriteNumber(name, Math.Round(value, 1));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Rate(double? rate) => rate is { } value ? value.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
