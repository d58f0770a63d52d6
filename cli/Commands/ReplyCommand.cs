using System.CommandLine;
using System.Diagnostics;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam reply &lt;port&gt; [--exec &lt;command&gt;]</c>: binds the port and answers each request on it — with the
/// request's own payload (echo), or with what <c>--exec</c>'s shell command writes to standard output when given the
/// request on standard input. A command that exits non-zero rejects the request (NACK) instead. Each request is
/// acknowledged once its reply is accepted, and one line per request goes to standard output.
/// </summary>
internal static class ReplyCommand
{
    // A rejection's detail quotes the start of the command's standard error, no more.
    private const int DetailChars = 200;

    public static Command Create(CliConsole console)
    {
        var port = new Argument<string>("port") { Description = "The port to answer requests on, e.g. quotes/eu" };
        var exec = new Option<string?>("--exec", "-e")
        {
            Description = "A shell command run per request: the request's payload on its standard input, its standard output the reply. " +
                "Without it the reply echoes the request",
        };
        var count = new Option<int?>("--count", "-c") { Description = "Exit after answering this many requests" };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--count must be at least 1");
            }
        });
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: true);

        var command = new Command("reply", "Answer the requests sent to a port, by echo or with a shell command's output.");
        command.Arguments.Add(port);
        connection.AddTo(command);
        command.Options.Add(exec);
        command.Options.Add(count);
        command.SetAction(async (parse, cancellationToken) =>
            await RunAsync(console, connection.ServiceClientOptions(parse), parse.GetValue(connection.Link)!, connection.NodeName(parse), parse.GetValue(port)!,
                parse.GetValue(exec), parse.GetValue(count), CliOutput.For(console, parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, TamTamClientOptions options, string link, string node, string port, string? exec,
        int? count, CliOutput output, CancellationToken cancellationToken)
    {
        try
        {
            await using NodeSession session = await NodeSession.OpenAsync(console, options, link, node, staysMember: true, resumable: true, cancellationToken);
            TamTamClient client = session.Client;
            await client.BindAsync(port, PortMode.Unicast, subtree: false, cancellationToken);
            int answered = 0;
            try
            {
                await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
                {
                    await AnswerAsync(console, output, client, message, exec, cancellationToken);
                    if (++answered == count)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: a clean stop. A request being answered was not acknowledged: it comes again.
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            await console.ReportAsync(exception);
            return ExitCodes.Failure;
        }
    }

    private static async Task AnswerAsync(CliConsole console, CliOutput output, TamTamClient client, IncomingMessage message, string? exec,
        CancellationToken cancellationToken)
    {
        string from = $"{message.SourceLink}:{message.SourceNode}";
        if (!message.IsRequest)
        {
            await console.Error.WriteLineAsync($"ignored {message.MessageId} from {from}: not a request (it names no reply port)");
            await message.AckAsync(cancellationToken);
            return;
        }

        (byte[] reply, string? failure) = exec is null ? (message.Payload.ToArray(), null) : await RunCommandAsync(exec, message, cancellationToken);
        if (failure is not null)
        {
            await message.NackAsync(detail: failure, cancellationToken: cancellationToken);
            await output.WriteAsync(() => $"rejected {message.MessageId} from {from}: {failure}", json =>
            {
                json.WriteString("event", "rejected");
                json.WriteString("request", message.MessageId);
                json.WriteString("source", from);
                json.WriteString("detail", failure);
            });
        }
        else
        {
            try
            {
                SendReceipt receipt = await client.ReplyAsync(message, reply, cancellationToken: cancellationToken);
                await output.WriteAsync(() => $"replied {message.MessageId} from {from} with {reply.Length} bytes ({receipt.MessageId})", json =>
                {
                    json.WriteString("event", "replied");
                    json.WriteString("request", message.MessageId);
                    json.WriteString("source", from);
                    json.WriteNumber("bytes", reply.Length);
                    json.WriteString("reply", receipt.MessageId);
                });
            }
            catch (TamTamException refused) when (refused is not TamTamConnectionException)
            {
                // The requester is gone (300: it left its link), or the token forbids its reply port: the request is done with.
                await console.ReportAsync(refused);
            }

            await message.AckAsync(cancellationToken);
        }

        await console.Out.FlushAsync(cancellationToken);
    }

    private static async Task<(byte[] Reply, string? Failure)> RunCommandAsync(string exec, IncomingMessage request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd.exe" : "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(OperatingSystem.IsWindows() ? "/c" : "-c");
        start.ArgumentList.Add(exec);
        start.Environment["TAMTAM_MESSAGE_ID"] = request.MessageId.ToString();
        start.Environment["TAMTAM_SOURCE_LINK"] = request.SourceLink;
        start.Environment["TAMTAM_SOURCE_NODE"] = request.SourceNode;
        start.Environment["TAMTAM_PORT"] = request.Port;

        using Process process = Process.Start(start) ?? throw new IOException($"could not start \"{exec}\"");
        using var output = new MemoryStream();
        Task reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(request.Payload, cancellationToken);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command does not read its input (it exited, or closed it): its output is the reply all the same.
        }

        await reading;
        string error = await errors;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode == 0)
        {
            return (output.ToArray(), null);
        }

        string detail = error.Trim();
        return ([], $"command exited with {process.ExitCode}{(detail.Length > 0 ? $": {detail[..Math.Min(detail.Length, DetailChars)]}" : string.Empty)}");
    }
}
