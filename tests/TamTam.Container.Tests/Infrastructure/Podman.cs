namespace TamTam.Container.Tests.Infrastructure;

/// <summary>
/// The podman command as this machine runs containers: with runc where it is installed (crun fails on hybrid cgroup
/// hierarchies), no default ulimits (setrlimit is refused in some sandboxes) and the host's network (no bridge needed:
/// every port is on loopback).
/// </summary>
internal static class Podman
{
    private const string Runc = "/usr/sbin/runc";

    private static readonly Lazy<string> Configuration = new(() =>
    {
        string file = Path.Combine(Path.GetTempPath(), "tamtam-container-tests", "containers.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "[containers]\ndefault_ulimits = []\n");
        return file;
    });

    /// <summary>Runs podman with <paramref name="arguments"/> after the global flags.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null) =>
        Command.RunAsync("podman", [.. GlobalArguments(), .. arguments], timeout, workingDirectory);

    /// <summary>As <see cref="RunAsync"/>, failing unless podman exits 0.</summary>
    public static Task<string> RunCheckedAsync(IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null) =>
        Command.RunCheckedAsync("podman", [.. GlobalArguments(), .. arguments], timeout, workingDirectory);

    /// <summary>The flags before podman's subcommand.</summary>
    public static IEnumerable<string> GlobalArguments()
    {
        UseConfiguration();
        return File.Exists(Runc) ? ["--runtime", Runc] : [];
    }

    /// <summary>Points every podman this process starts, scripts' included, at the configuration (<c>CONTAINERS_CONF</c>).</summary>
    public static void UseConfiguration() => Environment.SetEnvironmentVariable("CONTAINERS_CONF", Configuration.Value);

    /// <summary>Why podman cannot be used here, or <see langword="null"/> when it answers.</summary>
    public static async Task<string?> WhyUnavailableAsync()
    {
        (int exitCode, string output) result;
        try
        {
            result = await RunAsync(["info", "--format", "{{.Host.OCIRuntime.Name}}"], TimeSpan.FromSeconds(60));
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"podman is not installed ({exception.Message}); Debian: apt-get install podman runc debootstrap (.ci/run installs them)";
        }

        return result.exitCode == 0 ? null : $"podman does not work here (podman info exited with {result.exitCode}): {result.output.Trim()}";
    }
}
