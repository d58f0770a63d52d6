using TamTam.Protocol;

namespace TamTam.Grains.Streams;

/// <summary>
/// A publish through the <c>tamtam</c> stream provider that the port refused, with the code a wire node would get as
/// ERROR for each packet: 302 (a silo's subscribers lag too far behind; publish again later) or 501 (the port's stream
/// is unavailable; publish again). None of the call's packets was numbered or delivered.
/// </summary>
public sealed class StreamPublishException : Exception
{
    public StreamPublishException(ErrorCode code, string detail)
        : base($"{(ushort)code} {code.WireName()}: {detail}")
    {
        Code = code;
    }

    public StreamPublishException()
        : this(ErrorCode.Unavailable, "the stream refused the packets")
    {
    }

    public StreamPublishException(string message)
        : this(ErrorCode.Unavailable, message)
    {
    }

    public StreamPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCode.Unavailable;
    }

    /// <summary>The protocol's error code for the refusal.</summary>
    public ErrorCode Code { get; }
}
