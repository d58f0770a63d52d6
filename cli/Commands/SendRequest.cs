using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>What one <c>tamtam send</c> was asked to do.</summary>
internal sealed record SendRequest(Address Address, string? Text, SendOptions Options, bool Wait, bool Lines);
