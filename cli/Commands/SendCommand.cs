using System.CommandLine;
using System.Text;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam send &lt;address&gt; [&lt;text&gt;]</c>: sends the text, or standard input (whole, or one message
/// per line with <c>--lines</c>), and prints each receipt; with <c>--wait</c> also each final state.
/// </summary>
internal static class SendCommand
{
    // Sends in flight at once for --lines: enough to fill the pipeline, few enough to print in order cheaply.
    private const int Window = 256;

    public static Command Create(CliConsole console)
    {
        Argument<Address> address = Address.Argument("Where to send: port (in the joined link) or link:port");
        var text = new Argument<string?>("text")
        {
            Description = "The message; when omitted, standard input is sent",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<TimeSpan> ttl = DurationOption.Create("--ttl", "Expire the message this long after acceptance, e.g. 30s, 500ms, 5m", TimeSpan.Zero);
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for each message's final state and print it" };
        var lines = new Option<bool>("--lines") { Description = "Send each line of standard input as its own message" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("send", "Send a message and print its receipt (message id, sequence).");
        command.Arguments.Add(address);
        command.Arguments.Add(text);
        connection.AddTo(command);
        command.Options.Add(ttl);
        command.Options.Add(wait);
        command.Options.Add(lines);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new SendRequest(
                parse.GetValue(address)!,
                parse.GetValue(text),
                new SendOptions { Link = parse.GetValue(address)!.Link, Ttl = parse.GetValue(ttl) is { Ticks: > 0 } lifetime ? lifetime : null },
                parse.GetValue(wait),
                parse.GetValue(lines));
            // A node given by name may be resumed (and is then saved for the next run); a random cli-… node never is.
            return await RunAsync(CliOutput.For(console, parse), connection.ClientOptions(parse), parse.GetValue(connection.Link)!, connection.NodeName(parse),
                request, connection.NodeGiven(parse), cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(CliOutput output, TamTamClientOptions options, string link, string node, SendRequest request,
        bool resumable, CancellationToken cancellationToken)
    {
        CliConsole console = output.Console;
        var inFlight = new Queue<Task<SendResult>>();
        try
        {
            await using NodeSession session = await NodeSession.OpenAsync(console, options, link, node, staysMember: false, resumable, cancellationToken);
            TamTamClient client = session.Client;
            int exitCode = ExitCodes.Success;
            await foreach (ReadOnlyMemory<byte> payload in PayloadsAsync(console, request, cancellationToken))
            {
                inFlight.Enqueue(SendOneAsync(client, request, payload, cancellationToken));
                if (inFlight.Count >= Window)
                {
                    exitCode = Worst(exitCode, await PrintAsync(output, await inFlight.Dequeue()));
                }
            }

            while (inFlight.Count > 0)
            {
                exitCode = Worst(exitCode, await PrintAsync(output, await inFlight.Dequeue()));
            }

            await console.Out.FlushAsync(cancellationToken);
            await session.LeaveAsync(options.RequestTimeout);
            return exitCode;
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            await console.Out.FlushAsync(CancellationToken.None);
            await output.ReportAsync(exception);

            // The connection is gone, so are the sends still in flight: their failure is the one just reported.
            Task remaining = Task.WhenAll(inFlight);
            await remaining.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return ExitCodes.Failure;
        }
    }

    /// <summary>One message's outcome; a refusal of that message alone (e.g. 302) does not stop the others.</summary>
    private static async Task<SendResult> SendOneAsync(TamTamClient client, SendRequest request, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        try
        {
            SendReceipt receipt = await client.SendAsync(request.Address.Port, payload, request.Options, cancellationToken);
            MessageStatus? status = request.Wait ? await receipt.Completion.WaitAsync(cancellationToken) : null;
            return new SendResult(receipt, status, null);
        }
        catch (TamTamException exception) when (exception is not TamTamConnectionException)
        {
            return new SendResult(null, null, exception);
        }
    }

    private static async Task<int> PrintAsync(CliOutput output, SendResult result)
    {
        if (result.Refusal is not null)
        {
            await output.ReportAsync(result.Refusal);
            return ExitCodes.Failure;
        }

        await SendOutput.ReceiptAsync(output, result.Receipt!);
        return result.Status is { } status ? await SendOutput.StatusAsync(output, status) : ExitCodes.Success;
    }

    // A failure outranks a message that was not delivered, which outranks success.
    private static int Worst(int a, int b) => a == ExitCodes.Failure || b == ExitCodes.Failure ? ExitCodes.Failure : Math.Max(a, b);

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> PayloadsAsync(CliConsole console, SendRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Text is not null)
        {
            yield return Encoding.UTF8.GetBytes(request.Text);
            yield break;
        }

        await using Stream input = console.OpenInput();
        if (request.Lines)
        {
            using var reader = new StreamReader(input, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                yield return Encoding.UTF8.GetBytes(line);
            }

            yield break;
        }

        using var whole = new MemoryStream();
        await input.CopyToAsync(whole, cancellationToken);
        yield return whole.ToArray();
    }

    private sealed record SendResult(SendReceipt? Receipt, MessageStatus? Status, TamTamException? Refusal);
}
