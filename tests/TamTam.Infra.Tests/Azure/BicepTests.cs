using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TamTam.Infra.Tests.Infrastructure;

namespace TamTam.Infra.Tests.Azure;

/// <summary>infra/azure builds and lints without a warning, and the settings it gives the silos are real ones.</summary>
public sealed partial class BicepTests
{
    /// <summary>The one variable that is no TamTam setting: the client id DefaultAzureCredential picks the user-assigned identity by.</summary>
    private const string ClientIdVariable = "AZURE_CLIENT_ID";

    [Fact]
    public async Task The_template_builds_without_warnings()
    {
        Tool.Result result = await Bicep.RunAsync("build", Bicep.Template, "--stdout");

        Assert.True(result.ExitCode == 0 && result.Error.Length == 0, result.Describe("bicep build main.bicep"));
    }

    [Fact]
    public async Task The_parameters_file_builds_without_warnings()
    {
        Tool.Result result = await Bicep.RunAsync("build-params", Bicep.Parameters, "--stdout");

        Assert.True(result.ExitCode == 0 && result.Error.Length == 0, result.Describe("bicep build-params main.bicepparam"));
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("main.bicepparam")]
    public async Task Lint_finds_nothing(string file)
    {
        Tool.Result result = await Bicep.RunAsync("lint", Path.Combine(Repository.Azure, file));

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0 && result.Error.Length == 0, result.Describe($"bicep lint {file}"));
    }

    [Fact]
    public async Task Every_app_setting_is_a_real_silo_setting_the_silo_accepts()
    {
        JsonObject template = await Bicep.BuildAsync();
        JsonObject container = Container(template, out _);
        IReadOnlyList<Setting> settings = Settings(container, template);

        Assert.Contains(settings, s => s.Name == ClientIdVariable);
        Assert.Contains(settings, s => s.Name == "TamTam__Tls__CertificatePath");
        Assert.All(settings.Where(s => s.Name != ClientIdVariable), s => Assert.True(SiloSettings.IsTamTamVariable(s.Name), $"{s.Name} is no TamTam setting"));
        Assert.All(settings.Where(s => s.Name != ClientIdVariable), s => Assert.Null(SiloSettings.Unknown(SiloSettings.KeyOf(s.Name))));

        // The silo's own reading of them, with what Azure fills in at deployment (the account's endpoints, the key from
        // Key Vault, the mounted certificate) stood in for.
        Dictionary<string, string> values = settings.Where(s => s.Name != ClientIdVariable)
            .ToDictionary(s => SiloSettings.KeyOf(s.Name), s => s.Value ?? StandIn(s, template), StringComparer.OrdinalIgnoreCase);
        await using SiloConfiguration silo = SiloConfiguration.Build(values, "/etc/tamtam/tls");

        Assert.True(silo.Options.Storage.IsBlob);
        Assert.True(silo.Options.Cluster.IsAzureTable);
        Assert.Equal("false", values["TamTam:Security:AllowAnonymous"]);

        // Reached with the identity: service URIs only, no connection string anywhere.
        Assert.DoesNotContain(values.Keys, k => k.EndsWith(":ConnectionString", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("TamTam:Storage:Blob:ServiceUri", values.Keys);
        Assert.Contains("TamTam:Cluster:AzureTable:ServiceUri", values.Keys);
    }

    [Fact]
    public async Task Probes_ports_and_grace_match_the_silo()
    {
        JsonObject template = await Bicep.BuildAsync();
        JsonObject container = Container(template, out JsonObject app);
        JsonObject variables = template["variables"]!.AsObject();
        int httpPort = variables["httpPort"]!.GetValue<int>();
        int wirePort = variables["wirePort"]!.GetValue<int>();

        await using SiloConfiguration silo = SiloConfiguration.Build(new Dictionary<string, string>());
        Assert.Equal(silo.Options.Tcp.Port, wirePort);
        Assert.Equal(silo.Options.Http.Port, httpPort);

        var probes = container["probes"]!.AsArray().Select(p => p!.AsObject()).ToDictionary(p => p["type"]!.GetValue<string>(), p => p["httpGet"]!.AsObject());
        Assert.Equal("/healthz/live", probes["Startup"]["path"]!.GetValue<string>());
        Assert.Equal("/healthz/live", probes["Liveness"]["path"]!.GetValue<string>());
        Assert.Equal("/healthz/ready", probes["Readiness"]["path"]!.GetValue<string>());
        Assert.All(probes.Values, p => Assert.Equal("[variables('httpPort')]", p["port"]!.GetValue<string>()));

        // The platform kills the process at the grace period; the silo's stop (TamTam:Shutdown:Timeout) ends before it.
        int grace = app["properties"]!["template"]!["terminationGracePeriodSeconds"]!.GetValue<int>();
        string timeout = Settings(container, template).Single(s => s.Name == "TamTam__Shutdown__Timeout").Value!;
        Assert.InRange(TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(grace - 1));

        // Nothing answers /healthz/live while the silo warms up, before its listeners open: the startup probe allows the
        // warm-up's whole bound and some seconds around it.
        JsonObject startup = container["probes"]!.AsArray().Select(p => p!.AsObject()).Single(p => p["type"]!.GetValue<string>() == "Startup");
        var allowed = TimeSpan.FromSeconds(startup["periodSeconds"]!.GetValue<int>() * startup["failureThreshold"]!.GetValue<int>());
        string warmUp = Settings(container, template).Single(s => s.Name == "TamTam__WarmUp__Timeout").Value!;
        Assert.True(allowed >= TimeSpan.Parse(warmUp, System.Globalization.CultureInfo.InvariantCulture) + TimeSpan.FromSeconds(20), $"the startup probe allows {allowed}");
        Assert.Contains(Settings(container, template), s => s.Name == "TamTam__WarmUp__Messages" && int.Parse(s.Value!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    private sealed record Setting(string Name, string? Value, string? SecretRef, string? Expression);

    /// <summary>The silo container of the Container App resource.</summary>
    private static JsonObject Container(JsonObject template, out JsonObject app)
    {
        app = Assert.Single(template["resources"]!.AsArray().Select(r => r!.AsObject()), r => r["type"]!.GetValue<string>() == "Microsoft.App/containerApps");
        return Assert.Single(app["properties"]!["template"]!["containers"]!.AsArray())!.AsObject();
    }

    /// <summary>
    /// The container's environment, every one of its settings: bicep compiles the list (with the TLS settings added when a
    /// certificate is given) into one ARM expression, whose <c>createObject('name', …)</c> entries are read here.
    /// </summary>
    private static List<Setting> Settings(JsonObject container, JsonObject template)
    {
        string env = container["env"]!.GetValue<string>();
        var settings = new List<Setting>();

        // A list that is known when the template compiles stays a variable of the ARM template (the TLS settings).
        foreach (Match list in ReferencePattern().Matches(env))
        {
            if (list.Groups["kind"].Value == "variables" && template["variables"]![list.Groups["name"].Value] is JsonArray entries)
            {
                foreach (JsonObject entry in entries.Select(e => e!.AsObject()).Where(e => e["name"] is not null))
                {
                    string? value = entry["value"]?.GetValue<string>();
                    bool expression = value is not null && value.StartsWith('[');
                    settings.Add(new Setting(entry["name"]!.GetValue<string>(), expression ? null : value, entry["secretRef"]?.GetValue<string>(),
                        expression ? value![1..^1] : null));
                }
            }
        }

        foreach (string entry in env.Split("createObject('name', ")[1..])
        {
            Match match = SettingPattern().Match(entry);
            Assert.True(match.Success, $"An environment entry of an unexpected form: {entry}");
            string name = match.Groups["name"].Value;
            string? literal = match.Groups["literal"].Success ? match.Groups["literal"].Value : null;
            settings.Add(match.Groups["kind"].Value == "secretRef"
                ? new Setting(name, null, literal, null)
                : new Setting(name, literal, null, literal is null ? entry : null));
        }

        Assert.NotEmpty(settings);
        return settings;
    }

    /// <summary>What Azure fills in at deployment, stood in for: template variables and parameter defaults as they are, the account's endpoints, the key from Key Vault.</summary>
    private static string StandIn(Setting setting, JsonObject template)
    {
        if (setting.SecretRef is not null)
        {
            Assert.StartsWith("TamTam__Security__Keys__", setting.Name, StringComparison.OrdinalIgnoreCase);
            return "REPLACE";
        }

        string expression = setting.Expression!;
        if (expression.Contains(".primaryEndpoints.", StringComparison.Ordinal))
        {
            return "https://tamtamexample.core.windows.net/";
        }

        Match reference = ReferencePattern().Match(expression);
        Assert.True(reference.Success, $"{setting.Name} is set by an expression these tests have no stand-in for: {expression}");
        string value = (reference.Groups["kind"].Value == "variables"
            ? template["variables"]![reference.Groups["name"].Value]!
            : template["parameters"]![reference.Groups["name"].Value]!["defaultValue"]!).ToString();

        // '${tlsDirectory}/tls.crt' compiles to format('{0}/tls.crt', variables('tlsDirectory')).
        Match format = FormatPattern().Match(expression);
        return format.Success ? format.Groups["format"].Value.Replace("{0}", value, StringComparison.Ordinal) : value;
    }

    [GeneratedRegex(@"^format\('(?<format>[^']*)', ")]
    private static partial Regex FormatPattern();

    [GeneratedRegex(@"(?<kind>variables|parameters)\('(?<name>\w+)'\)")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^'(?<name>[^']+)', '(?<kind>value|secretRef)', (?:'(?<literal>[^']*)'\))?")]
    private static partial Regex SettingPattern();
}
