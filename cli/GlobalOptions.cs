using System.CommandLine;
using TamTam.Cli.Configuration;

namespace TamTam.Cli;

/// <summary>The options every command takes: <c>--json</c> and <c>--config</c>.</summary>
internal static class GlobalOptions
{
    public const string JsonName = "--json";

    public static void AddTo(RootCommand root, CliConsole console)
    {
        root.Options.Add(new Option<string>(SettingsResolver.ConfigOptionName)
        {
            Description = $"The config file [env {ConfigFile.PathVariable}; default $XDG_CONFIG_HOME/tamtam/config.json or ~/.config/tamtam/config.json]",
            Recursive = true,
        });
        root.Options.Add(new Option<bool>(JsonName)
        {
            Description = $"Print JSON instead of text: one object per result, one per line for what streams [env {Setting.Output.Variable}=json]",
            Recursive = true,
            DefaultValueFactory = result => SettingsResolver.For(console, result).Resolve(Setting.Output, _ => null).Value == "json",
        });
    }
}
