using System.CommandLine.Parsing;
using TamTam.Cli.Sessions;

namespace TamTam.Cli.Configuration;

/// <summary>A setting's effective value and where it came from, as <c>config show</c> prints it.</summary>
internal sealed record SettingValue(string? Value, string Source);

/// <summary>
/// Decides each setting's value: a flag, else its environment variable, else the session <c>tamtam join</c> keeps (for
/// server, link and node), else the config file, else the default.
/// </summary>
internal sealed class SettingsResolver
{
    public const string ConfigOptionName = "--config";

    private readonly CliConsole _console;

    private SettingsResolver(CliConsole console, ConfigFile file, JoinedSession? joined)
    {
        _console = console;
        File = file;
        Joined = joined;
    }

    public ConfigFile File { get; }

    /// <summary>The session <c>tamtam join</c> keeps, or null.</summary>
    public JoinedSession? Joined { get; }

    /// <summary>The settings of a command line being parsed: its <c>--config</c>, if given, names the file.</summary>
    public static SettingsResolver For(CliConsole console, SymbolResult? result)
    {
        string? given = null;
        if (result is not null && ConfigOf(result) is { Tokens.Count: > 0 } config)
        {
            given = config.Tokens[0].Value;
        }

        return For(console, given);
    }

    /// <summary>
    /// The <c>--config</c> of <paramref name="result"/>'s parse, or null. A default asked for outside a parse (the usage
    /// printed after an error asks every option's) has a result tree without the root option, where a lookup by name throws.
    /// </summary>
    private static OptionResult? ConfigOf(SymbolResult result)
    {
        try
        {
            return result.GetResult(ConfigOptionName) as OptionResult;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static SettingsResolver For(CliConsole console, string? configPath) =>
        new(console, ConfigFile.Load(ConfigFile.PathOf(console, configPath)), JoinedSession.Read(console));

    /// <param name="setting">The setting.</param>
    /// <param name="flags">The value given on the command line for a setting, or null; asked for server and link too, as a joined session applies only to its own server and link.</param>
    public SettingValue Resolve(Setting setting, Func<Setting, string?> flags)
    {
        if (flags(setting) is { Length: > 0 } flag)
        {
            return new SettingValue(flag, setting == Setting.Output ? "flag --json" : $"flag --{setting.Key}");
        }

        if (_console.GetEnvironmentVariable(setting.Variable) is { Length: > 0 } variable)
        {
            return new SettingValue(variable, $"environment {setting.Variable}");
        }

        if (Joined is { } joined && JoinedApplies(setting, joined, flags))
        {
            string value = setting == Setting.Server ? joined.Server : setting == Setting.Link ? joined.Link : joined.Node;
            return new SettingValue(value, "tamtam join");
        }

        if (File.Get(setting) is { Length: > 0 } fromFile)
        {
            return new SettingValue(fromFile, $"file {File.Path}");
        }

        return new SettingValue(setting.Default, "default");
    }

    private bool JoinedApplies(Setting setting, JoinedSession joined, Func<Setting, string?> flags)
    {
        if (setting == Setting.Server)
        {
            return true;
        }

        if (setting != Setting.Link && setting != Setting.Node)
        {
            return false;
        }

        if (!SameServer(Resolve(Setting.Server, flags).Value, joined.Server))
        {
            return false;
        }

        return setting == Setting.Link || Resolve(Setting.Link, flags).Value == joined.Link;
    }

    private static bool SameServer(string? a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out Uri? left) && Uri.TryCreate(b, UriKind.Absolute, out Uri? right) && left.AbsoluteUri == right.AbsoluteUri;
}
