using System.Diagnostics;
using System.Text.Json;
using TamTam.Cli;

namespace TamTam.Client.Tests.Cli;

/// <summary><c>tamtam completion</c> and the <c>[suggest]</c> directive its scripts call.</summary>
public sealed class CompletionTests
{
    [Fact]
    public async Task The_suggest_directive_completes_commands_subcommands_and_setting_names()
    {
        using var commands = new FakeConsole();
        Assert.Equal(0, await commands.RunAsync("[suggest:11]", "tamtam moni"));
        Assert.Contains("monitor", commands.OutLines);

        using var keys = new FakeConsole();
        Assert.Equal(0, await keys.RunAsync("[suggest:18]", "tamtam config set "));
        Assert.Equal(["cacert", "link", "node", "output", "server", "token"], keys.OutLines.Where(l => !l.StartsWith('-') && !l.StartsWith('/')).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _tamtam_complete tamtam")]
    [InlineData("zsh", "compdef _tamtam tamtam")]
    [InlineData("fish", "complete -c tamtam")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName tamtam")]
    public async Task Completion_prints_a_script_for_each_shell_that_asks_tamtam_itself(string shell, string registration)
    {
        using var text = new FakeConsole();
        Assert.Equal(0, await text.RunAsync("completion", shell));
        Assert.Contains(registration, text.Out, StringComparison.Ordinal);
        Assert.Contains("[suggest:", text.Out, StringComparison.Ordinal);

        using var json = new FakeConsole();
        Assert.Equal(0, await json.RunAsync("completion", shell, "--json"));
        using JsonDocument document = JsonDocument.Parse(json.Out);
        Assert.Equal(shell, document.RootElement.GetProperty("shell").GetString());
        Assert.Contains(registration, document.RootElement.GetProperty("script").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bash_script_completes_a_command_line_through_the_real_tool()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var script = new FakeConsole();
        await script.RunAsync("completion", "bash");
        string folder = Directory.CreateTempSubdirectory("tamtam-completion-").FullName;
        try
        {
            // `tamtam` on the PATH is the tool just built, run by the same dotnet as this test.
            string shim = Path.Combine(folder, "tamtam");
            File.WriteAllText(shim, $"#!/bin/sh\nexec \"{Environment.ProcessPath}\" \"{typeof(TamTamCommand).Assembly.Location}\" \"$@\"\n");
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string scriptPath = Path.Combine(folder, "completion.bash");
            File.WriteAllText(scriptPath, script.Out);

            var start = new ProcessStartInfo("bash")
            {
                ArgumentList =
                {
                    "-c",
                    $"export PATH='{folder}':$PATH; source '{scriptPath}'; COMP_LINE='tamtam con'; COMP_POINT=10; COMP_WORDS=(tamtam con); COMP_CWORD=1; " +
                    "_tamtam_complete; printf '%s\\n' \"${COMPREPLY[@]}\"",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process bash = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string output = await bash.StandardOutput.ReadToEndAsync(timeout.Token);
            await bash.WaitForExitAsync(timeout.Token);

            Assert.Equal(["config"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
