namespace TamTam.Cli;

/// <summary>The tool's exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded (with <c>--wait</c>: every message was DELIVERED).</summary>
    public const int Success = 0;

    /// <summary>A numbered protocol error, a lost connection, a timeout or bad usage; the reason is on stderr.</summary>
    public const int Failure = 1;

    /// <summary><c>send --wait</c>: a message ended in a final state other than DELIVERED; <c>request</c>: the request did, without a reply.</summary>
    public const int NotDelivered = 3;

    /// <summary><c>request</c>: no reply came within <c>--timeout</c>.</summary>
    public const int NoReply = 4;
}
