using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam audit &lt;link&gt; [--json]</c>: the link's audit trail (AUDIT), page by page, one line per final message —
/// who sent which message to which port, when, with which outcome; never a payload. <c>--json</c> prints JSON lines,
/// the SDK's audit export. Needs an anonymous session or a token whose link covers the link and that names no node.
/// </summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string>("link") { Description = "The link whose trail to export" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("audit", "Export a link's audit trail: every final message, in acceptance order.");
        command.Arguments.Add(link);
        connection.AddTo(command, withLink: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using TamTamClient client = await TamTamClient.ConnectAsync(connection.ClientOptions(parse), cancellationToken);
                bool asJson = CliOutput.For(console, parse).Json;
                await foreach (AuditRecord record in client.ReadAuditAsync(parse.GetValue(link)!, cancellationToken))
                {
                    await console.Out.WriteLineAsync(asJson ? record.ToJson()
                        : $"{record.Sequence} {record.MessageId} {record.SourceLink}/{record.SourceNode} → {record.Port} {record.State.WireName()} {record.Confirmed}/{record.Recipients} accepted {record.AcceptedAt:O} final {record.FinalAt:O}");
                }

                await console.Out.FlushAsync(cancellationToken);
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
}
