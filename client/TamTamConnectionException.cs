using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// The connection ended: the server closed it (with a fatal ERROR, whose code this carries, or without one,
/// <see cref="ErrorCode.None"/>), the transport failed, or the client was disposed. Every pending and later
/// operation of that client fails with this exception. A client with <see cref="TamTamClientOptions.Reconnect"/>
/// on fails this way only once it has given up reconnecting (<see cref="TamTamReconnectException"/>); meanwhile
/// only requests in flight on the lost connection fail with it, sends excepted (they are sent again).
/// </summary>
public class TamTamConnectionException : TamTamException
{
    /// <summary>Creates the exception for <paramref name="code"/> with a detail.</summary>
    public TamTamConnectionException(ErrorCode code, string detail)
        : base(code, detail)
    {
    }

    /// <summary>Creates the exception for <paramref name="code"/> with a detail and a cause.</summary>
    public TamTamConnectionException(ErrorCode code, string detail, Exception? innerException)
        : base(code, detail, innerException)
    {
    }

    /// <summary>Creates an exception for a closed connection.</summary>
    public TamTamConnectionException()
        : base(ErrorCode.None, "the connection is closed")
    {
    }

    /// <summary>Creates an exception for a closed connection with a message.</summary>
    public TamTamConnectionException(string message)
        : base(ErrorCode.None, message)
    {
    }

    /// <summary>Creates an exception for a closed connection with a message and a cause.</summary>
    public TamTamConnectionException(string message, Exception innerException)
        : base(ErrorCode.None, message, innerException)
    {
    }

    /// <summary>A fresh exception for one more caller that meets the same closed connection.</summary>
    internal virtual TamTamConnectionException Again() => new(Code, Detail, this);
}
