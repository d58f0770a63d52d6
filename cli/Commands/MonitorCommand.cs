using System.CommandLine;
using Spectre.Console;
using TamTam.Cli.Monitoring;
using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam monitor</c>: a live terminal view (Spectre.Console) of the server — health, links with their message rates,
/// the nodes of each link with round trip and inbox — refreshed every <c>--interval</c>, until q or Ctrl+C. With
/// <c>--once</c>, or when standard output is not a terminal, it prints one snapshot (as text or JSON) and exits; that
/// snapshot is the second of two samples <c>--interval</c> apart, so that it has rates.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create(CliConsole console, TimeProvider clock)
    {
        var once = new Option<bool>("--once") { Description = "Print one snapshot and exit (what happens anyway when stdout is not a terminal)" };
        var interval = DurationOption.Create("--interval", "Time between samples, e.g. 1s, 500ms", TimeSpan.FromSeconds(1), "-i");
        var links = new Option<string[]>("--watch") { Description = "Show the nodes of this link (repeat for more; default: the first --max-links links with members)" };
        var maxLinks = new Option<int>("--max-links") { Description = "Without --watch: the links whose nodes are shown", DefaultValueFactory = _ => 10 };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("monitor", "Watch the server live: health, links and their rates, nodes with round trip and inbox. q or Ctrl+C quits.");
        connection.AddTo(command, withLink: false, withNode: false);
        command.Options.Add(once);
        command.Options.Add(interval);
        command.Options.Add(links);
        command.Options.Add(maxLinks);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TimeSpan every = parse.GetValue(interval);
            bool live = !parse.GetValue(once) && !output.Json && console.OutputIsTerminal;
            return await QueryConnection.RunAsync(output, connection.ClientOptions(parse), async client =>
            {
                var sampler = new MonitorSampler(client, parse.GetValue(links) ?? [], Math.Max(0, parse.GetValue(maxLinks)), clock);
                if (!live)
                {
                    await sampler.SampleAsync(cancellationToken);
                    await Task.Delay(every, clock, cancellationToken);
                    await MonitorView.WriteAsync(output, await sampler.SampleAsync(cancellationToken));
                    return ExitCodes.Success;
                }

                await LiveAsync(console, sampler, every, clock, cancellationToken);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static async Task LiveAsync(CliConsole console, MonitorSampler sampler, TimeSpan every, TimeProvider clock, CancellationToken cancellationToken)
    {
        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        if (!Console.IsOutputRedirected)
        {
            try
            {
                terminal.Profile.Width = Math.Max(40, Console.WindowWidth);
            }
            catch (IOException)
            {
                // No window to measure: Spectre's 80 columns.
            }
        }

        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task keys = WatchKeysAsync(console, quit);
        try
        {
            MonitorSnapshot first = await sampler.SampleAsync(quit.Token);
            await terminal.Live(MonitorView.Render(first)).AutoClear(false).StartAsync(async context =>
            {
                context.Refresh();
                await console.Out.FlushAsync(CancellationToken.None);
                while (!quit.IsCancellationRequested)
                {
                    await Task.Delay(every, clock, quit.Token);
                    context.UpdateTarget(MonitorView.Render(await sampler.SampleAsync(quit.Token)));
                    context.Refresh();
                    await console.Out.FlushAsync(CancellationToken.None);
                }
            });
        }
        catch (OperationCanceledException) when (quit.IsCancellationRequested)
        {
            // q or Ctrl+C.
        }
        finally
        {
            await quit.CancelAsync();
            await keys.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await console.Out.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>Cancels <paramref name="quit"/> when q, Q or Escape is pressed.</summary>
    private static async Task WatchKeysAsync(CliConsole console, CancellationTokenSource quit)
    {
        while (!quit.IsCancellationRequested)
        {
            ConsoleKeyInfo key = await console.ReadKeyAsync(quit.Token);
            if (key.Key is ConsoleKey.Q or ConsoleKey.Escape || key.KeyChar is 'q' or 'Q')
            {
                await quit.CancelAsync();
            }
        }
    }
}
