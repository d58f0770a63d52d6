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

    /// <summary>
    /// The code's name as the specification writes it (section 8), e.g. <c>QUOTA_EXCEEDED</c>; <c>NONE</c> for
    /// <see cref="ErrorCode.None"/> and <c>UNKNOWN</c> for a code this version does not define.
    /// </summary>
    public static string WireName(this ErrorCode code) => code switch
    {
        ErrorCode.None => "NONE",
        ErrorCode.BadMagic => "BAD_MAGIC",
        ErrorCode.UnsupportedVersion => "UNSUPPORTED_VERSION",
        ErrorCode.BadHeader => "BAD_HEADER",
        ErrorCode.FrameTooLarge => "FRAME_TOO_LARGE",
        ErrorCode.UnknownType => "UNKNOWN_TYPE",
        ErrorCode.BadLength => "BAD_LENGTH",
        ErrorCode.InvalidUtf8 => "INVALID_UTF8",
        ErrorCode.InvalidName => "INVALID_NAME",
        ErrorCode.OutOfRange => "OUT_OF_RANGE",
        ErrorCode.BadFlags => "BAD_FLAGS",
        ErrorCode.UnexpectedFrame => "UNEXPECTED_FRAME",
        ErrorCode.Truncated => "TRUNCATED",
        ErrorCode.HandshakeRequired => "HANDSHAKE_REQUIRED",
        ErrorCode.AuthFailed => "AUTH_FAILED",
        ErrorCode.TokenExpired => "TOKEN_EXPIRED",
        ErrorCode.Forbidden => "FORBIDDEN",
        ErrorCode.SessionExpired => "SESSION_EXPIRED",
        ErrorCode.NameTaken => "NAME_TAKEN",
        ErrorCode.NotJoined => "NOT_JOINED",
        ErrorCode.AlreadyJoined => "ALREADY_JOINED",
        ErrorCode.RateLimited => "RATE_LIMITED",
        ErrorCode.TooManyInFlight => "TOO_MANY_IN_FLIGHT",
        ErrorCode.IdleTimeout => "IDLE_TIMEOUT",
        ErrorCode.ShuttingDown => "SHUTTING_DOWN",
        ErrorCode.NoCommonVersion => "NO_COMMON_VERSION",
        ErrorCode.SessionTakenOver => "SESSION_TAKEN_OVER",
        ErrorCode.NoRoute => "NO_ROUTE",
        ErrorCode.PortModeConflict => "PORT_MODE_CONFLICT",
        ErrorCode.QuotaExceeded => "QUOTA_EXCEEDED",
        ErrorCode.MessageTooLarge => "MESSAGE_TOO_LARGE",
        ErrorCode.UnknownDelivery => "UNKNOWN_DELIVERY",
        ErrorCode.Expired => "EXPIRED",
        ErrorCode.NotBound => "NOT_BOUND",
        ErrorCode.UnknownMessage => "UNKNOWN_MESSAGE",
        ErrorCode.NotCancelable => "NOT_CANCELABLE",
        ErrorCode.BadChecksum => "BAD_CHECKSUM",
        ErrorCode.BadDigest => "BAD_DIGEST",
        ErrorCode.UnknownTransfer => "UNKNOWN_TRANSFER",
        ErrorCode.WindowFull => "WINDOW_FULL",
        ErrorCode.Internal => "INTERNAL",
        ErrorCode.Unavailable => "UNAVAILABLE",
        ErrorCode.NotImplemented => "NOT_IMPLEMENTED",
        _ => "UNKNOWN",
    };
}
