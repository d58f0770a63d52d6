using System.Text.Json;
using TamTam.Cli;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam config</c>: the file commands read, and flags over environment over file.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ConfigCommandTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-config-").FullName;

    [Fact]
    public async Task A_server_set_in_the_config_file_is_the_one_commands_use()
    {
        var set = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await set.RunAsync("config", "set", "server", silo.Uri.ToString()).Within());
        Assert.StartsWith("server set in ", Assert.Single(set.OutLines), StringComparison.Ordinal);

        var ping = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await ping.RunAsync("ping", "-c", "1").Within());
        Assert.Contains(silo.Uri.Authority, ping.OutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_show_says_where_each_setting_comes_from_flag_over_environment_over_file()
    {
        Assert.Equal(ExitCodes.Success, await new CliTestConsole(_folder).RunAsync("config", "set", "link", "from-file").Within());
        Assert.Equal(ExitCodes.Success, await new CliTestConsole(_folder).RunAsync("config", "set", "node", "node-from-file").Within());
        Assert.Equal(ExitCodes.Success, await new CliTestConsole(_folder).RunAsync("config", "set", "token", "secret-token").Within());
        var environment = new Dictionary<string, string> { ["TAMTAM_LINK"] = "from-env", ["TAMTAM_SERVER"] = "tamtam://env-host:1" };

        var text = new CliTestConsole(_folder, environment: environment);
        Assert.Equal(ExitCodes.Success, await text.RunAsync("config", "show", "--server", "tamtam://flag-host:2").Within());
        Assert.StartsWith("config file: ", text.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^server\s+tamtam://flag-host:2\s+flag --server$"));
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^link\s+from-env\s+environment TAMTAM_LINK$"));
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^node\s+node-from-file\s+file \S+config.json$"));
        Assert.Contains(text.OutLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^output\s+human\s+default$"));
        Assert.DoesNotContain("secret-token", text.Out, StringComparison.Ordinal);

        var json = new CliTestConsole(_folder, environment: environment);
        Assert.Equal(ExitCodes.Success, await json.RunAsync("config", "show", "--json").Within());
        using JsonDocument document = JsonDocument.Parse(Assert.Single(json.OutLines));
        JsonElement settings = document.RootElement.GetProperty("settings");
        Assert.Equal("tamtam://env-host:1", settings.GetProperty("server").GetProperty("value").GetString());
        Assert.Equal("environment TAMTAM_SERVER", settings.GetProperty("server").GetProperty("source").GetString());
        Assert.Equal("flag --json", settings.GetProperty("output").GetProperty("source").GetString());
        Assert.StartsWith("<hidden", settings.GetProperty("token").GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.True(document.RootElement.GetProperty("file_exists").GetBoolean());
    }

    [Fact]
    public async Task Output_json_in_the_config_file_makes_json_the_default_and_unset_removes_it()
    {
        Assert.Equal(ExitCodes.Success, await new CliTestConsole(_folder).RunAsync("config", "set", "output", "json").Within());
        var version = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await version.RunAsync("version").Within());
        using (JsonDocument.Parse(Assert.Single(version.OutLines)))
        {
        }

        var unset = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await unset.RunAsync("config", "unset", "output").Within());
        var again = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Success, await again.RunAsync("version").Within());
        Assert.StartsWith("tamtam ", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_set_refuses_an_unknown_key_and_a_bad_value()
    {
        var unknown = new CliTestConsole(_folder);
        Assert.NotEqual(ExitCodes.Success, await unknown.RunAsync("config", "set", "colour", "blue").Within());
        Assert.Contains("\"colour\" is not a setting", unknown.Error, StringComparison.Ordinal);

        var bad = new CliTestConsole(_folder);
        Assert.Equal(ExitCodes.Failure, await bad.RunAsync("config", "set", "output", "yaml").Within());
        Assert.Contains("neither human nor json", bad.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
