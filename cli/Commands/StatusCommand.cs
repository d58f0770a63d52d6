using System.CommandLine;
using System.Text.Json;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam status &lt;message-id&gt; --link &lt;link&gt; [--node &lt;name&gt;] [--cancel] [--json]</c>: what the interchange
/// knows of one message (MESSAGE): its state, recipients with their outcomes and attempts, its times. With
/// <c>--node</c> it asks as that node (which sees the messages it sent); without, as an operator (an anonymous session,
/// or a token whose link covers the message's and that names no node). <c>--cancel</c> cancels it first (CANCEL).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<Guid>("message-id") { Description = "The message's id, as its sender sent it" };
        var cancel = new Option<bool>("--cancel") { Description = "Cancel the message first: it ends CANCELED unless it is final already (308)" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("status", "Show a message's state, recipients and times; optionally cancel it.");
        command.Arguments.Add(id);
        connection.AddTo(command);
        command.Options.Add(cancel);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                TamTamClientOptions options = connection.ClientOptions(parse);
                string link = parse.GetValue(connection.Link)!;
                Guid messageId = parse.GetValue(id);
                await using NodeSession? session = parse.GetValue(connection.Node) is { Length: > 0 } node
                    ? await NodeSession.OpenAsync(console, options, link, node, staysMember: true, resumable: true, cancellationToken)
                    : null;
                await using TamTamClient? own = session is null ? await TamTamClient.ConnectAsync(options, cancellationToken) : null;
                TamTamClient client = session?.Client ?? own!;
                if (parse.GetValue(cancel))
                {
                    await client.CancelAsync(messageId, link, cancellationToken);
                }

                MessageDescriptor descriptor = await client.GetStatusAsync(messageId, link, cancellationToken);
                await console.Out.WriteLineAsync(CliOutput.For(console, parse).Json ? ToJson(descriptor) : ToText(descriptor));
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException)
            {
                await console.ReportAsync(exception);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string ToText(MessageDescriptor d)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{d.MessageId} sequence {d.Sequence} in {d.Link}: {d.State?.WireName() ?? "PENDING"} ({d.Detail})\n");
        text.Append($"  from {d.SourceLink}/{d.SourceNode} to port {d.Port}\n");
        text.Append($"  accepted {d.AcceptedAt:O}, deadline {(d.Deadline is { } deadline ? deadline.ToString("O") : "none")}");
        text.Append(d.FinalAt is { } at ? $", final {at:O}\n" : "\n");
        foreach (MessageRecipient r in d.Recipients)
        {
            text.Append($"  {r.Node}: {r.Outcome.WireName()} after {r.Attempts} attempt(s)\n");
        }

        if (d.RecipientsTruncated)
        {
            text.Append("  (more recipients than fitted one report)\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string ToJson(MessageDescriptor d)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("message_id", d.MessageId);
            json.WriteNumber("sequence", d.Sequence);
            json.WriteString("src_link", d.SourceLink);
            json.WriteString("src_node", d.SourceNode);
            json.WriteString("link", d.Link);
            json.WriteString("port", d.Port);
            json.WriteString("state", d.State?.WireName() ?? "PENDING");
            json.WriteString("accepted_at", d.AcceptedAt.UtcDateTime);
            WriteOptional(json, "deadline", d.Deadline);
            WriteOptional(json, "final_at", d.FinalAt);
            json.WriteString("detail", d.Detail);
            json.WriteStartArray("recipients");
            foreach (MessageRecipient r in d.Recipients)
            {
                json.WriteStartObject();
                json.WriteString("node", r.Node);
                json.WriteString("outcome", r.Outcome.WireName());
                json.WriteNumber("attempts", r.Attempts);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("recipients_truncated", d.RecipientsTruncated);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time.UtcDateTime);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
