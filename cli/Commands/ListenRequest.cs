using TamTam.Cli.Output;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>What one <c>tamtam listen</c> was asked to do.</summary>
internal sealed record ListenRequest(string Port, PortMode Mode, bool Subtree, int? Count, MessageFormat Format, bool Leave = false);
