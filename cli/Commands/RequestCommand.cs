using System.CommandLine;
using System.Text;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam request &lt;address&gt; [&lt;text&gt;]</c>: sends the text (or standard input) as a request and prints the
/// reply's payload. Exit code 0 with a reply, 6 when none came within <c>--timeout</c>, 3 when the request ended
/// without one (REJECTED, EXPIRED, NO_ROUTE), 1 for any other failure.
/// </summary>
internal static class RequestCommand
{
    public static Command Create(CliConsole console)
    {
        Argument<Address> address = Address.Argument("The service to ask: port (in the joined link) or link:port");
        var text = new Argument<string?>("text")
        {
            Description = "The request; when omitted, standard input is sent",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<TimeSpan> timeout = DurationOption.Create("--timeout", "How long to wait for the reply, e.g. 5s, 500ms; also the request's TTL", TimeSpan.FromSeconds(10));
        var format = new Option<MessageFormat>("--format", "-f")
        {
            Description = "text: the reply's payload (\\n-escaped); json: the reply as an object; hex: the payload in hex",
            DefaultValueFactory = _ => MessageFormat.Text,
            HelpName = "text|json|hex",
        };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("request", "Send a request and print its reply (exit code 6 when no reply comes in time).");
        command.Arguments.Add(address);
        command.Arguments.Add(text);
        connection.AddTo(command);
        command.Options.Add(timeout);
        command.Options.Add(format);
        command.SetAction(async (parse, cancellationToken) =>
        {
            Address to = parse.GetValue(address)!;
            bool named = parse.GetValue(connection.Node) is { Length: > 0 };
            return await RunAsync(console, connection.ClientOptions(parse), parse.GetValue(connection.Link)!, connection.NodeName(parse), named, to,
                parse.GetValue(text), parse.GetValue(timeout),
                CliOutput.For(console, parse).Json ? MessageFormat.Json : parse.GetValue(format), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, TamTamClientOptions options, string link, string node, bool resumable, Address to,
        string? text, TimeSpan timeout, MessageFormat format, CancellationToken cancellationToken)
    {
        try
        {
            byte[] payload = text is not null ? Encoding.UTF8.GetBytes(text) : await ReadInputAsync(console, cancellationToken);
            await using NodeSession session = await NodeSession.OpenAsync(console, options, link, node, staysMember: false, resumable, cancellationToken);
            IncomingMessage reply;
            try
            {
                reply = await session.Client.RequestAsync(to.Port, payload, timeout, new SendOptions { Link = to.Link }, cancellationToken);
            }
            catch (TimeoutException exception)
            {
                await console.ReportAsync(exception);
                await session.LeaveAsync(options.RequestTimeout);
                return ExitCodes.NoReply;
            }

            await console.Out.WriteLineAsync(MessageFormatter.Format(reply, format));
            await console.Out.FlushAsync(cancellationToken);
            await session.LeaveAsync(options.RequestTimeout);
            return ExitCodes.Success;
        }
        catch (TamTamRequestException exception)
        {
            await console.ReportAsync(exception);
            return ExitCodes.NotDelivered;
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            await console.ReportAsync(exception);
            return ExitCodes.Failure;
        }
    }

    private static async Task<byte[]> ReadInputAsync(CliConsole console, CancellationToken cancellationToken)
    {
        await using Stream input = console.OpenInput();
        using var whole = new MemoryStream();
        await input.CopyToAsync(whole, cancellationToken);
        return whole.ToArray();
    }
}
