namespace TamTam.Protocol;

/// <summary>The numbered error codes of protocol v1 (docs/protocol.md, section 8).</summary>
public enum ErrorCode : ushort
{
    None = 0,

    // Framing: fatal, the connection closes.
    BadMagic = 100,
    UnsupportedVersion = 101,
    BadHeader = 102,
    FrameTooLarge = 103,

    // Frame errors: the one frame is discarded, the connection goes on.
    UnknownType = 110,
    BadLength = 111,
    InvalidUtf8 = 112,
    InvalidName = 113,
    OutOfRange = 114,
    BadFlags = 115,
    UnexpectedFrame = 116,
    Truncated = 117,

    // Session.
    HandshakeRequired = 200,
    AuthFailed = 201,
    TokenExpired = 202,
    Forbidden = 203,
    SessionExpired = 204,
    NameTaken = 205,
    NotJoined = 206,
    AlreadyJoined = 207,
    RateLimited = 208,
    TooManyInFlight = 209,
    IdleTimeout = 210,
    ShuttingDown = 211,
    NoCommonVersion = 212,
    SessionTakenOver = 213,

    // Messaging.
    NoRoute = 300,
    PortModeConflict = 301,
    QuotaExceeded = 302,
    MessageTooLarge = 303,
    UnknownDelivery = 304,
    Expired = 305,
    NotBound = 306,
    UnknownMessage = 307,
    NotCancelable = 308,

    // Transfers.
    BadChecksum = 400,
    BadDigest = 401,
    UnknownTransfer = 402,
    WindowFull = 403,

    // Server.
    Internal = 500,
    Unavailable = 501,
    NotImplemented = 502,
}
