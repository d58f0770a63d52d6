using System.Diagnostics;

namespace TamTam.Testing;

/// <summary>
/// How the tests run a program of this repository built beside them (<c>tamtam-silo.dll</c>, <c>tamtam.dll</c>): by the
/// dotnet host that runs the tests, in the temporary directory (so that no relative path lands in the test output),
/// with both outputs redirected for the test to read.
/// </summary>
internal static class BuiltExecutable
{
    /// <summary>The start of <paramref name="dllName"/> with <paramref name="arguments"/>.</summary>
    /// <exception cref="FileNotFoundException">The program is not in the test output (a project reference is missing).</exception>
    public static ProcessStartInfo StartInfo(string dllName, IEnumerable<string> arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, dllName);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not in the test output", dll);
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
