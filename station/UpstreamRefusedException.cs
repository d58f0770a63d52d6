using TamTam.Protocol;

namespace TamTam.Station;

/// <summary>An interchange refused the station: its token (201, 202, 203), its registration (205) or its protocol version.</summary>
public sealed class UpstreamRefusedException : Exception
{
    public UpstreamRefusedException()
    {
    }

    public UpstreamRefusedException(string message)
        : base(message)
    {
    }

    public UpstreamRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal UpstreamRefusedException(ErrorCode code, string detail)
        : base($"{(ushort)code} {code.WireName()}: {detail}")
    {
        Code = code;
    }

    /// <summary>The interchange's error code.</summary>
    public ErrorCode Code { get; }
}
