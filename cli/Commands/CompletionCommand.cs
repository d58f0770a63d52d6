using System.CommandLine;
using TamTam.Cli.Output;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam completion bash|zsh|fish|pwsh</c>: prints a script that makes the shell complete tamtam's commands, options
/// and values. Each script asks tamtam itself, through System.CommandLine's <c>[suggest:position]</c> directive, so the
/// completions are always those of the installed version.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # tamtam completion for bash: source this file, or add `source <(tamtam completion bash)` to ~/.bashrc.
        _tamtam_complete() {
            local IFS=$'\n'
            # tamtam completes a command line that starts with its own name, however it was invoked.
            local line="tamtam${COMP_LINE:${#COMP_WORDS[0]}:$((COMP_POINT - ${#COMP_WORDS[0]}))}"
            local candidates
            candidates=$(command tamtam "[suggest:${#line}]" "$line" 2>/dev/null)
            COMPREPLY=( $(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _tamtam_complete tamtam
        """;

    private const string Zsh = """
        #compdef tamtam
        # tamtam completion for zsh: add `source <(tamtam completion zsh)` to ~/.zshrc (after compinit).
        _tamtam() {
            local line="tamtam ${(j: :)words[2,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$(command tamtam "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _tamtam tamtam
        """;

    private const string Fish = """
        # tamtam completion for fish: tamtam completion fish > ~/.config/fish/completions/tamtam.fish
        function __tamtam_complete
            set -l line (commandline -cp)
            set -l full "tamtam"(string replace -r '^\s*\S+' '' -- $line)
            command tamtam "[suggest:"(string length -- "$full")"]" "$full" 2>/dev/null
        end
        complete -c tamtam -f -a '(__tamtam_complete)'
        """;

    private const string PowerShell = """
        # tamtam completion for PowerShell: add `tamtam completion pwsh | Out-String | Invoke-Expression` to $PROFILE.
        Register-ArgumentCompleter -Native -CommandName tamtam, tamtam.exe -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $first = $commandAst.CommandElements[0].Extent.Text
            $typed = $commandAst.ToString()
            $end = [Math]::Min($cursorPosition - $commandAst.Extent.StartOffset, $typed.Length)
            $line = 'tamtam' + $typed.Substring($first.Length, $end - $first.Length)
            if ($end -lt ($cursorPosition - $commandAst.Extent.StartOffset)) { $line += ' ' }
            & tamtam "[suggest:$($line.Length)]" "$line" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }
        """;

    public static Command Create(CliConsole console)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or pwsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh");
        var command = new Command("completion", "Print a shell completion script: bash, zsh, fish or pwsh (it asks tamtam itself for the completions).");
        command.Arguments.Add(shell);
        command.SetAction(async parse =>
        {
            string script = ScriptFor(parse.GetValue(shell)!);
            CliOutput output = CliOutput.For(console, parse);
            await output.WriteAsync(() => script, json =>
            {
                json.WriteString("shell", parse.GetValue(shell));
                json.WriteString("script", script);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    public static string ScriptFor(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "fish" => Fish,
        _ => PowerShell,
    };
}
