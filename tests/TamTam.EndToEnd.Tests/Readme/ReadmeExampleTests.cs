using System.Diagnostics;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Readme;

/// <summary>
/// README.md's C# example is tests/ReadmeExample/Program.cs, character for character, and it runs as written
/// against a real silo: connect, join, bind, send, receive and acknowledge, final status DELIVERED.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ReadmeExampleTests(SharedSiloFixture silo)
{
    private const string Fence = "```csharp";

    [Fact]
    public void The_README_example_is_the_example_program()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string program = File.ReadAllText(Path.Combine(root, "tests", "ReadmeExample", "Program.cs"));

        Assert.Equal(Normalize(program), Normalize(ExampleBlock(readme)));
    }

    [Fact]
    public async Task The_README_example_runs_as_written_against_a_real_silo()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "tamtam-readme-example.dll");
        Assert.True(File.Exists(dll), $"{dll} is not in the test output");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["TAMTAM_URI"] = silo.Uri.ToString();

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().Within(TestTimeout.Batch);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string printed = await output;
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{printed}\n{await errors}");
        string[] lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("accepted ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["hello, billing", "Delivered"], lines[1..]);
    }

    /// <summary>The README's first C# block that is a whole program (it starts with its using directives).</summary>
    private static string ExampleBlock(string readme)
    {
        int at = 0;
        while ((at = readme.IndexOf(Fence, at, StringComparison.Ordinal)) >= 0)
        {
            int body = readme.IndexOf('\n', at) + 1;
            int end = readme.IndexOf("\n```", body, StringComparison.Ordinal);
            string block = readme[body..(end + 1)];
            if (block.StartsWith("using ", StringComparison.Ordinal))
            {
                return block;
            }

            at = end;
        }

        Assert.Fail("README.md has no C# block that starts with a using directive");
        return string.Empty;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TamTam.Cloud.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No TamTam.Cloud.sln above {AppContext.BaseDirectory}");
    }
}
