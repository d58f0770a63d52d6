namespace TamTam.Protocol;

/// <summary>
/// A violation of the wire protocol, carrying the numbered code that the receiver answers with.
/// The codec throws nothing else for bad input.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ErrorCode code, string message, uint correlation = 0)
        : base($"{(ushort)code} {code}: {message}")
    {
        Code = code;
        Correlation = correlation;
        Detail = message;
    }

    public ProtocolException()
        : this(ErrorCode.Internal, "protocol error")
    {
    }

    public ProtocolException(string message)
        : this(ErrorCode.Internal, message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCode.Internal;
        Detail = message;
    }

    /// <summary>The protocol's error code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The correlation of the offending frame, or 0 when none is known.</summary>
    public uint Correlation { get; }

    /// <summary>The human-readable detail, without the code.</summary>
    public string Detail { get; }

    /// <summary>True when the connection must close after this error.</summary>
    public bool IsFatal => Code.IsFatal();
}
