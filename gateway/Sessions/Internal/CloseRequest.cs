using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Why a session ends. With a <see cref="Code"/> other than <see cref="ErrorCode.None"/> the session sends
/// one ERROR with the FATAL flag before it closes.
/// </summary>
internal sealed record CloseRequest(ErrorCode Code, string Detail, uint Correlation)
{
    /// <summary>The client ended the transport between frames.</summary>
    public static readonly CloseRequest PeerClosed = new(ErrorCode.None, "closed by the client", 0);

    /// <summary>The transport failed (reset, aborted).</summary>
    public static readonly CloseRequest TransportFailed = new(ErrorCode.None, "transport failed", 0);

    /// <summary>The server is stopping or draining: 211, fatal, so that the client resumes on another server.</summary>
    public static readonly CloseRequest ShuttingDown = new(ErrorCode.ShuttingDown, "the server is stopping; resume elsewhere", 0);

    public bool SendsError => Code != ErrorCode.None;

    public string Reason => SendsError ? $"{(ushort)Code} {Code}" : Detail;
}
