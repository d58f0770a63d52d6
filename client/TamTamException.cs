using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// A numbered protocol error: the server refused a request (for example 205 NAME_TAKEN for a JOIN, or
/// 302 QUOTA_EXCEEDED for a SEND), or the client refused input that it would otherwise have sent.
/// </summary>
public class TamTamException : Exception
{
    /// <summary>Creates the exception for <paramref name="code"/> with the server's or client's detail.</summary>
    public TamTamException(ErrorCode code, string detail)
        : this(code, detail, null)
    {
    }

    /// <summary>Creates the exception for <paramref name="code"/> with a cause.</summary>
    public TamTamException(ErrorCode code, string detail, Exception? innerException)
        : base(Describe(code, detail), innerException)
    {
        Code = code;
        Detail = detail ?? string.Empty;
    }

    /// <summary>Creates an exception with code <see cref="ErrorCode.None"/>.</summary>
    public TamTamException()
        : this(ErrorCode.None, "TamTam error")
    {
    }

    /// <summary>Creates an exception with code <see cref="ErrorCode.None"/> and a message.</summary>
    public TamTamException(string message)
        : this(ErrorCode.None, message)
    {
    }

    /// <summary>Creates an exception with code <see cref="ErrorCode.None"/>, a message and a cause.</summary>
    public TamTamException(string message, Exception innerException)
        : this(ErrorCode.None, message, innerException)
    {
    }

    /// <summary>The protocol's error code (docs/protocol.md section 8); <see cref="ErrorCode.None"/> when none applies.</summary>
    public ErrorCode Code { get; }

    /// <summary>The human-readable detail, without the code.</summary>
    public string Detail { get; }

    /// <summary>The code's name as the protocol writes it, e.g. <c>NAME_TAKEN</c>.</summary>
    public string CodeName => Code.WireName();

    // The message as docs/protocol.md writes an error: "302 QUOTA_EXCEEDED: the destination inbox is full".
    private static string Describe(ErrorCode code, string? detail) =>
        code == ErrorCode.None ? detail ?? string.Empty : $"{(ushort)code} {code.WireName()}: {detail}";
}
