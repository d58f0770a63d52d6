using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using TamTam.Cli.Output;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary><c>tamtam version [--remote]</c>: the tool's version, the protocol version it speaks, and with <c>--remote</c> the server's.</summary>
internal static class VersionCommand
{
    public static Command Create(CliConsole console)
    {
        var remote = new Option<bool>("--remote") { Description = "Also connect and print what the server calls itself (WELCOME's server field)" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("version", "Print the version of tamtam, of the protocol it speaks and, with --remote, of the server.");
        command.Options.Add(remote);
        connection.AddTo(command, withLink: false, withNode: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            string? server = null;
            if (parse.GetValue(remote))
            {
                int exitCode = await QueryConnection.RunAsync(output, connection.ClientOptions(parse), client =>
                {
                    server = client.ServerName;
                    return Task.FromResult(ExitCodes.Success);
                }, cancellationToken);
                if (exitCode != ExitCodes.Success)
                {
                    return exitCode;
                }
            }

            await output.WriteAsync(
                () => $"tamtam {Version} (protocol {ProtocolLimits.Version}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier})" +
                    (server is null ? string.Empty : $"{Environment.NewLine}server {server}"),
                json =>
                {
                    json.WriteString("version", Version);
                    json.WriteNumber("protocol", ProtocolLimits.Version);
                    json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
                    json.WriteString("platform", RuntimeInformation.RuntimeIdentifier);
                    if (server is not null)
                    {
                        json.WriteString("server", server);
                    }
                });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The informational version (with the commit, when the build stamps one), else the assembly version.</summary>
    public static string Version
    {
        get
        {
            Assembly assembly = typeof(VersionCommand).Assembly;
            return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }
    }
}
