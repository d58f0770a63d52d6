using System.Reflection;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>
/// The page, its script and its style sheet, embedded in the silo's assembly (silo/Dashboard/Assets): the silo
/// serves them with no files beside it and no build step outside <c>dotnet build</c>.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "TamTam.Silo.Dashboard.Assets.";

    private readonly Dictionary<string, (byte[] Content, string ContentType)> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        Assembly assembly = typeof(DashboardAssets).Assembly;
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var content = new MemoryStream();
            stream.CopyTo(content);
            string file = name[ResourcePrefix.Length..];
            _assets[file] = (content.ToArray(), ContentTypeOf(file));
        }
    }

    /// <summary>The asset named <paramref name="file"/> (<c>index.html</c>, <c>dashboard.js</c>, …), if embedded.</summary>
    public bool TryGet(string file, out (byte[] Content, string ContentType) asset) => _assets.TryGetValue(file, out asset);

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
