using System.Diagnostics;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>
/// Runs the command-line tools the checks need (kubectl, yamllint, bicep) with a bound on time. A tool that is not
/// installed fails the test naming what installs it: these checks never pass without having run.
/// </summary>
internal static class Tool
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Describe(string command) => $"{command} exited {ExitCode}.\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    /// <summary>The path of <paramref name="name"/> on PATH, or a failure that says how to install it.</summary>
    public static string Require(string name, string install)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name} is not installed, so this check cannot run (and does not pass): {install}.");
    }

    public static async Task<Result> RunAsync(string executable, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', start.ArgumentList)} ran longer than {Limit}.");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
