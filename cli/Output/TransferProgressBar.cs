using Spectre.Console;
using TamTam.Client;

namespace TamTam.Cli.Output;

/// <summary>
/// A terminal progress bar for <c>put</c> and <c>get</c> (Spectre.Console), drawn on standard error so that standard
/// output keeps only the result lines. Where standard error is not a terminal it draws nothing.
/// </summary>
internal static class TransferProgressBar
{
    /// <summary>Runs <paramref name="transfer"/>, showing the progress it reports under <paramref name="title"/>.</summary>
    public static async Task<T> RunAsync<T>(CliConsole console, string title, long totalBytes, Func<IProgress<TransferProgress>, Task<T>> transfer)
    {
        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return await terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalBytes));
                T result = await transfer(new Progress(task));
                task.Value = task.MaxValue;
                return result;
            });
    }

    private sealed class Progress(ProgressTask task) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => task.Value = value.Bytes;
    }
}
