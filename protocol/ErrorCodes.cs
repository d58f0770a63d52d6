namespace TamTam.Protocol;

/// <summary>Facts about error codes that the specification fixes.</summary>
public static class ErrorCodes
{
    /// <summary>
    /// True for errors after which the sender closes the connection (section 8, column "fatal"):
    /// the framing can no longer be trusted, or the session cannot go on.
    /// </summary>
    public static bool IsFatal(this ErrorCode code) => code switch
    {
        ErrorCode.BadMagic or ErrorCode.UnsupportedVersion or ErrorCode.BadHeader or ErrorCode.FrameTooLarge => true,
        ErrorCode.Truncated or ErrorCode.HandshakeRequired or ErrorCode.AuthFailed or ErrorCode.TokenExpired => true,
        ErrorCode.IdleTimeout or ErrorCode.ShuttingDown or ErrorCode.NoCommonVersion or ErrorCode.SessionTakenOver => true,
        _ => false,
    };
}
