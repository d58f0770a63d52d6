using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// The client lost its connection and gave up reconnecting after <see cref="Attempts"/> attempts
/// (<see cref="TamTamClientOptions.Reconnect"/>), or was refused for good (e.g. 201 AUTH_FAILED). Every pending and
/// later call fails with it; <see cref="Exception.InnerException"/> is the last attempt's failure. The server keeps
/// the node's inbox: a new client joining under the same name receives what this one did not acknowledge.
/// </summary>
public sealed class TamTamReconnectException : TamTamConnectionException
{
    /// <summary>Creates the exception after <paramref name="attempts"/> attempts.</summary>
    public TamTamReconnectException(ErrorCode code, string detail, int attempts, Exception? innerException)
        : base(code, detail, innerException)
    {
        Attempts = attempts;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TamTamReconnectException()
        : base(ErrorCode.None, "reconnecting failed")
    {
    }

    /// <summary>How many reconnection attempts were made.</summary>
    public int Attempts { get; }

    internal override TamTamConnectionException Again() => new TamTamReconnectException(Code, Detail, Attempts, this);
}
