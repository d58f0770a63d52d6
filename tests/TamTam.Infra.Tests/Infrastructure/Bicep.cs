using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>The bicep binary of the Azure.Bicep.CommandLine package, on the templates under infra/azure.</summary>
internal static class Bicep
{
    public static string Template => Path.Combine(Repository.Azure, "main.bicep");

    public static string Parameters => Path.Combine(Repository.Azure, "main.bicepparam");

    /// <summary>What the parameters file reads from the environment of whoever deploys: a token key made here.</summary>
    public static IReadOnlyDictionary<string, string> DeployerEnvironment { get; } = new Dictionary<string, string>
    {
        ["TAMTAM_TOKEN_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    public static Task<Tool.Result> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Repository.BicepPath),
            $"The bicep binary is not at {Repository.BicepPath}: the Azure.Bicep.CommandLine.linux-x64 package restores it (dotnet restore).");
        return Tool.RunAsync(Repository.BicepPath, arguments, Repository.Azure, DeployerEnvironment);
    }

    /// <summary>The template compiled to an ARM template.</summary>
    public static async Task<JsonObject> BuildAsync()
    {
        Tool.Result result = await RunAsync("build", Template, "--stdout");
        Assert.True(result.ExitCode == 0, result.Describe("bicep build"));
        return JsonNode.Parse(result.Output)!.AsObject();
    }
}
