using System.CommandLine;
using TamTam.Cli.Commands;

namespace TamTam.Cli;

/// <summary>The <c>tamtam</c> root command and its subcommands.</summary>
internal static class TamTamCommand
{
    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("tamtam: send and receive messages through a TamTam.Cloud interchange.");
        root.Subcommands.Add(SendCommand.Create(console));
        root.Subcommands.Add(ListenCommand.Create(console));
        return root;
    }
}
