using System.CommandLine;
using System.Text;
using TamTam.Cli.Output;
using TamTam.Cli.Sessions;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam publish &lt;address&gt; [&lt;text&gt;]</c>: streaming mode (STREAM) — the text, or each line of standard input,
/// as one packet to every node bound to the port: no durability, no redelivery, numbered so receivers count losses.
/// Before it exits it makes a round trip, so every refusal the server sent for its packets has arrived and is counted.
/// </summary>
internal static class PublishCommand
{
    public static Command Create(CliConsole console)
    {
        Argument<Address> address = Address.Argument("Where to publish: port (in the joined link) or link:port");
        var text = new Argument<string?>("text") { Description = "The packet; when omitted, each line of standard input is a packet", Arity = ArgumentArity.ZeroOrOne };
        var ttl = new Option<byte>("--ttl")
        {
            Description = "Interchange passes a packet may make, 1-255 (another link needs at least 2)",
            DefaultValueFactory = _ => StreamOptions.DefaultTtl,
        };
        ttl.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<byte>() == 0)
            {
                result.AddError("--ttl must be 1 to 255");
            }
        });
        var ack = new Option<bool>("--ack") { Description = "Ask receivers to acknowledge each packet (STREAM_ACK, counted by the server)" };
        var subtree = new Option<bool>("--subtree") { Description = "Address the port's subtree: nodes bound below the port get the packets too" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);

        var command = new Command("publish", "Publish packets in streaming mode (no acknowledgement, no redelivery): the text, or each line of standard input.");
        command.Arguments.Add(address);
        command.Arguments.Add(text);
        connection.AddTo(command);
        command.Options.Add(ttl);
        command.Options.Add(ack);
        command.Options.Add(subtree);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            Address destination = parse.GetValue(address)!;
            var options = new StreamOptions { Link = destination.Link, Ttl = parse.GetValue(ttl), WantAck = parse.GetValue(ack), Subtree = parse.GetValue(subtree) };
            TamTamClientOptions clientOptions = connection.ClientOptions(parse);
            try
            {
                await using NodeSession session = await NodeSession.OpenAsync(console, clientOptions, parse.GetValue(connection.Link)!,
                    connection.NodeName(parse), staysMember: false, resumable: connection.NodeGiven(parse), cancellationToken);
                long published = 0;
                await foreach (ReadOnlyMemory<byte> packet in PacketsAsync(console, parse.GetValue(text), cancellationToken))
                {
                    await session.Client.PublishAsync(destination.Port, packet, options, cancellationToken);
                    published++;
                }

                // The server answers a STREAM only to refuse it, before it answers a later PING: after the PONG, all refusals are in.
                await session.Client.PingAsync(cancellationToken);
                long refused = session.Client.StreamRefusals;
                TamTamException? last = session.Client.LastStreamRefusal;
                await session.LeaveAsync(clientOptions.RequestTimeout);
                await output.WriteAsync(
                    () => $"published {published} packet{(published == 1 ? string.Empty : "s")} to {destination}{(refused > 0 ? $", {refused} refused" : string.Empty)}",
                    json =>
                    {
                        json.WriteString("address", destination.ToString());
                        json.WriteNumber("published", published);
                        json.WriteNumber("refused", refused);
                    });
                if (last is not null)
                {
                    await output.ReportAsync(last);
                    return ExitCodes.Failure;
                }

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

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> PacketsAsync(CliConsole console, string? text,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (text is not null)
        {
            yield return Encoding.UTF8.GetBytes(text);
            yield break;
        }

        await using Stream input = console.OpenInput();
        using var reader = new StreamReader(input, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return Encoding.UTF8.GetBytes(line);
        }
    }
}
