using System.Reflection;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>Where the repository's deployment files are, as the build recorded it.</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("TamTam.RepositoryRoot");

    /// <summary>The bicep binary the Azure.Bicep.CommandLine package ships (a PackageDownload of this project).</summary>
    public static string BicepPath { get; } = Metadata("TamTam.BicepPath");

    public static string Infra => Path.Combine(Root, "infra");

    public static string Kubernetes => Path.Combine(Infra, "k8s");

    public static string Azure => Path.Combine(Infra, "azure");

    /// <summary>Every kustomize overlay under infra/k8s/overlays: each is rendered and checked.</summary>
    public static IReadOnlyList<string> Overlays() =>
        [.. Directory.GetDirectories(Path.Combine(Kubernetes, "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The test assembly lacks its {key} metadata (TamTam.Infra.Tests.csproj).");
}
