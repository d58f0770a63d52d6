namespace TamTam.Storage.Tests.Infrastructure;

/// <summary>
/// Finds the <c>azurite</c> executable (blob, queue and table endpoints in one process) of the repository-local install (<c>tests/azurite</c>, pinned by
/// its package-lock.json), or the one named by <see cref="OverrideVariable"/>.
/// </summary>
public static class AzuriteLocator
{
    /// <summary>An environment variable that names an <c>azurite</c> executable to use instead.</summary>
    public const string OverrideVariable = "TAMTAM_AZURITE";

    /// <summary>The install command, as the failure message and .ci/run give it.</summary>
    public const string InstallCommand = "npm ci --prefix tests/azurite";

    private static readonly string[] LocalBinary = ["tests", "azurite", "node_modules", ".bin", "azurite"];

    /// <summary>The executable's path.</summary>
    /// <exception cref="InvalidOperationException">Azurite is not installed; the message says how to install it.</exception>
    public static string Find()
    {
        var configured = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{OverrideVariable} names '{configured}', which does not exist.");
        }

        var root = RepositoryRoot();
        var binary = Path.Combine([root ?? AppContext.BaseDirectory, .. LocalBinary]);
        if (root is not null && File.Exists(binary))
        {
            return binary;
        }

        throw new InvalidOperationException(
            $"Azurite, the Azure Storage emulator the blob and table tests run against, is not installed (looked for '{binary}'). " +
            $"Install it from the repository root with `{InstallCommand}` (needs Node.js and npm; .ci/run does this), " +
            $"or set {OverrideVariable} to an azurite executable.");
    }

    /// <summary>The nearest ancestor of the test binaries that holds <c>tests/azurite/package.json</c>.</summary>
    private static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tests", "azurite", "package.json")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
