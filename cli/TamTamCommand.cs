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
        root.Subcommands.Add(NodesCommand.Create(console));
        root.Subcommands.Add(LinksCommand.Create(console));
        root.Subcommands.Add(HealthCommand.Create(console));
        root.Subcommands.Add(PingCommand.Create(console));
        root.Subcommands.Add(VersionCommand.Create(console));
        root.Subcommands.Add(ConfigCommand.Create(console));
        root.Subcommands.Add(MonitorCommand.Create(console, clock ?? TimeProvider.System));
        root.Subcommands.Add(PublishCommand.Create(console));
        root.Subcommands.Add(SubscribeCommand.Create(console));
        root.Subcommands.Add(BroadcastCommand.Create(console));
        root.Subcommands.Add(JoinCommand.Create(console));
        root.Subcommands.Add(LeaveCommand.Create(console));
        root.Subcommands.Add(CompletionCommand.Create(console));
        root.Subcommands.Add(StatusCommand.Create(console));
        root.Subcommands.Add(AuditCommand.Create(console));
        root.Subcommands.Add(RequestCommand.Create(console));
        root.Subcommands.Add(ReplyCommand.Create(console));
        root.Subcommands.Add(StationCommand.Create(console));
        GlobalOptions.AddTo(root, console);
        return root;
    }
}
