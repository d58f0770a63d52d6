using System.CommandLine;
using TamTam.Cli.Configuration;
using TamTam.Cli.Output;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam config show|set|unset|path</c>: the settings file (<see cref="ConfigFile"/>) and the effective settings —
/// flags over environment over <c>tamtam join</c> over the file over defaults — with where each came from.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("config", "Show the effective settings and where each comes from; set or unset them in the config file.");
        command.Subcommands.Add(Show(console));
        command.Subcommands.Add(Set(console));
        command.Subcommands.Add(Unset(console));
        command.Subcommands.Add(PathCommand(console));
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var secrets = new Option<bool>("--show-secrets") { Description = "Print the token itself instead of hiding it" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("show", "Print every setting's effective value and its source: flag, environment, tamtam join, file or default.");
        command.Options.Add(secrets);

        // The connection flags are taken here too, so that `config show --server …` shows what a command given them would use.
        command.Options.Add(connection.Server);
        command.Options.Add(connection.Link);
        command.Options.Add(connection.Node);
        command.Options.Add(connection.Token);
        command.Options.Add(connection.CaCert);
        command.SetAction(async parse =>
        {
            CliOutput output = CliOutput.For(console, parse);
            SettingsResolver resolver = SettingsResolver.For(console, ConfigPath(parse));
            Dictionary<Setting, Option<string>> flags = new()
            {
                [Setting.Server] = connection.Server,
                [Setting.Link] = connection.Link,
                [Setting.Node] = connection.Node,
                [Setting.Token] = connection.Token,
                [Setting.CaCert] = connection.CaCert,
            };
            string? Flag(Setting setting) =>
                setting == Setting.Output
                    ? (parse.GetResult(GlobalOptions.JsonName) is System.CommandLine.Parsing.OptionResult { Implicit: false } ? "json" : null)
                    : flags.TryGetValue(setting, out Option<string>? option) && parse.GetResult(option) is { Implicit: false, Tokens.Count: > 0 } given
                        ? given.Tokens[0].Value
                        : null;

            var values = Setting.All.Select(setting => (Setting: setting, Value: resolver.Resolve(setting, Flag))).ToList();
            bool showSecrets = parse.GetValue(secrets);
            string? Shown(Setting setting, string? value) =>
                value is { Length: > 0 } && setting == Setting.Token && !showSecrets ? $"<hidden, {value.Length} characters>" : value;

            if (output.Json)
            {
                await output.ObjectAsync(json =>
                {
                    json.WriteString("file", resolver.File.Path);
                    json.WriteBoolean("file_exists", File.Exists(resolver.File.Path));
                    if (resolver.File.Problem is { } problem)
                    {
                        json.WriteString("file_problem", problem);
                    }

                    json.WriteStartObject("settings");
                    foreach ((Setting setting, SettingValue value) in values)
                    {
                        json.WriteStartObject(setting.Key);
                        json.WriteString("value", Shown(setting, value.Value));
                        json.WriteString("source", value.Source);
                        json.WriteString("variable", setting.Variable);
                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            await output.LineAsync($"config file: {resolver.File.Path}{(File.Exists(resolver.File.Path) ? string.Empty : " (none yet)")}");
            if (resolver.File.Problem is { } trouble)
            {
                await output.LineAsync($"warning: the config file is ignored: {trouble}");
            }

            await output.TableAsync(["SETTING", "VALUE", "SOURCE"],
                values.Select(v => (IReadOnlyList<string>)[v.Setting.Key, Shown(v.Setting, v.Value.Value) ?? "-", v.Value.Source]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Set(CliConsole console)
    {
        var key = KeyArgument();
        var value = new Argument<string>("value") { Description = "The value" };
        var command = new Command("set", "Write a setting to the config file (server, link, node, token, cacert, output).");
        command.Arguments.Add(key);
        command.Arguments.Add(value);
        command.SetAction(async parse =>
        {
            CliOutput output = CliOutput.For(console, parse);
            Setting setting = Setting.Find(parse.GetValue(key)!)!;
            string text = parse.GetValue(value)!;
            if (setting.Check(text) is { } problem)
            {
                await output.ReportAsync(problem);
                return ExitCodes.Failure;
            }

            return await WriteAsync(console, output, parse, setting, text);
        });
        return command;
    }

    private static Command Unset(CliConsole console)
    {
        var key = KeyArgument();
        var command = new Command("unset", "Remove a setting from the config file.");
        command.Arguments.Add(key);
        command.SetAction(async parse => await WriteAsync(console, CliOutput.For(console, parse), parse, Setting.Find(parse.GetValue(key)!)!, null));
        return command;
    }

    private static Command PathCommand(CliConsole console)
    {
        var command = new Command("path", "Print the config file's path.");
        command.SetAction(async parse =>
        {
            CliOutput output = CliOutput.For(console, parse);
            string path = ConfigFile.PathOf(console, ConfigPath(parse));
            await output.WriteAsync(() => path, json => json.WriteString("file", path));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> WriteAsync(CliConsole console, CliOutput output, ParseResult parse, Setting setting, string? value)
    {
        ConfigFile file = ConfigFile.Load(ConfigFile.PathOf(console, ConfigPath(parse)));
        if (file.Problem is { } problem)
        {
            await output.ReportAsync($"the config file {file.Path} cannot be read ({problem}): fix or remove it first");
            return ExitCodes.Failure;
        }

        try
        {
            file.Set(setting, value);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await output.ReportAsync(exception);
            return ExitCodes.Failure;
        }

        await output.WriteAsync(
            () => value is null ? $"{setting.Key} removed from {file.Path}" : $"{setting.Key} set in {file.Path}",
            json =>
            {
                json.WriteString("file", file.Path);
                json.WriteString("setting", setting.Key);
                json.WriteBoolean("set", value is not null);
            });
        return ExitCodes.Success;
    }

    private static string? ConfigPath(ParseResult parse) =>
        parse.GetResult(SettingsResolver.ConfigOptionName) is { Tokens.Count: > 0 } given ? given.Tokens[0].Value : null;

    private static Argument<string> KeyArgument()
    {
        var key = new Argument<string>("key") { Description = $"One of {string.Join(", ", Setting.All.Select(s => s.Key))}" };
        key.CompletionSources.Add(Setting.All.Select(s => s.Key).ToArray());
        key.Validators.Add(result =>
        {
            string? text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (text is null || Setting.Find(text) is null)
            {
                result.AddError($"\"{text}\" is not a setting: one of {string.Join(", ", Setting.All.Select(s => s.Key))}");
            }
        });
        return key;
    }
}
