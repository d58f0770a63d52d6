using System.CommandLine;
using TamTam.Cli.Commands;

namespace TamTam.Cli;

/// <summary>The <c>tamtam</c> root command and its subcommands.</summary>
internal static class TamTamCommand
{
    /// <param name="console">The standard streams and environment.</param>
    /// <param name="clock">The clock <c>token</c> counts its expiry from; the system's by default.</param>
    public static RootCommand Create(CliConsole console, TimeProvider? clock = null)
    {
        var root = new RootCommand("tamtam: send and receive messages through a TamTam.Cloud interchange.");
        root.Subcommands.Add(SendCommand.Create(console));
        root.Subcommands.Add(ListenCommand.Create(console));
        root.Subcommands.Add(PutCommand.Create(console));
        root.Subcommands.Add(GetCommand.Create(console));
        root.Subcommands.Add(TokenCommand.Create(console, clock ?? TimeProvider.System));
        root.Subcommands.Add(RequestCommand.Create(console));
        root.Subcommands.Add(ReplyCommand.Create(console));
        return root;
    }
}
