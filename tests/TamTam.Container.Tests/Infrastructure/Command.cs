using System.Diagnostics;
using System.Text;

namespace TamTam.Container.Tests.Infrastructure;

/// <summary>One run of a program to its end (podman build, dotnet publish, debootstrap), its output kept for failure messages.</summary>
internal static class Command
{
    /// <summary>The exit code and everything printed; the process is killed after <paramref name="timeout"/>, which fails.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not end within {timeout}. Its output:\n{Tail(output)}");
        }

        // WaitForExitAsync waits for the output streams to close too.
        return (process.ExitCode, Tail(output));
    }

    /// <summary>As <see cref="RunAsync"/>, failing unless the program exits 0.</summary>
    public static async Task<string> RunCheckedAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        string[] args = [.. arguments];
        (int exitCode, string output) = await RunAsync(file, args, timeout, workingDirectory);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {exitCode}. Its output:\n{output}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            const int Kept = 20_000;
            return output.Length <= Kept ? output.ToString() : output.ToString(output.Length - Kept, Kept);
        }
    }
}
