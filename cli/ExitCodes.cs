namespace TamTam.Cli;

/// <summary>The tool's exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded (with <c>--wait</c>: every message was DELIVERED).</summary>
    public const int Success = 0;

    /// <summary>
    /// A numbered protocol error, a lost connection, a timeout or bad usage; the reason is on stderr. Also <c>ping</c>
    /// with no PONG at all, <c>publish</c> with a packet the server refused, and <c>health</c> when the server cannot be reached.
    /// </summary>
    public const int Failure = 1;

    /// <summary><c>send --wait</c>, <c>put --wait</c>, <c>broadcast --wait</c>: a message ended in a final state other than DELIVERED; <c>request</c>: the request did, without a reply.</summary>
    public const int NotDelivered = 3;

    /// <summary><c>health</c>: the server answered that it is degraded (it serves, with trouble: see its figures).</summary>
    public const int Degraded = 4;

    /// <summary><c>health</c>: the server answered that it is unhealthy.</summary>
    public const int Unhealthy = 5;

    /// <summary><c>request</c>: no reply came within <c>--timeout</c>.</summary>
    public const int NoReply = 6;
}
