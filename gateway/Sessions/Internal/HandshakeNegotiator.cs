using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>The terms a session runs under, settled by HELLO and announced in WELCOME.</summary>
internal readonly record struct SessionTerms(ushort Version, int MaxBody, TimeSpan Heartbeat, int PartSize);

/// <summary>Settles a HELLO against the server's options (docs/protocol.md, sections 6.1 and 5.2).</summary>
internal static class HandshakeNegotiator
{
    /// <summary>The protocol versions this server speaks.</summary>
    public const ushort LowestVersion = 1;

    /// <inheritdoc cref="LowestVersion"/>
    public const ushort HighestVersion = ProtocolLimits.Version;

    // The fields in front of a PART's payload: a part must fit one frame under the negotiated maximum body.
    private static readonly int PartOverhead = default(PartFrame).FieldsLength;

    /// <exception cref="ProtocolException">212 (fatal): the client's version range has no version spoken here.</exception>
    public static SessionTerms Negotiate(in HelloFrame hello, GatewayOptions options, uint correlation)
    {
        if (hello.MinVersion > HighestVersion || hello.MaxVersion < LowestVersion)
        {
            throw new ProtocolException(ErrorCode.NoCommonVersion,
                $"the client speaks versions {hello.MinVersion} … {hello.MaxVersion}, this server {LowestVersion} … {HighestVersion}", correlation);
        }

        ushort version = Math.Min(hello.MaxVersion, HighestVersion);

        // 0 leaves the choice to the server; otherwise neither side may exceed what the other accepts.
        int maxBody = hello.MaxBody == 0 ? options.MaxBody : (int)Math.Min(hello.MaxBody, (uint)options.MaxBody);

        // A client may ask for a faster heartbeat (to notice a dead link sooner), never a slower one than
        // the server's: the idle limit is what frees the server's resources.
        TimeSpan heartbeat = hello.HeartbeatMs == 0
            ? options.HeartbeatInterval
            : Clamp(TimeSpan.FromMilliseconds(hello.HeartbeatMs), GatewayOptions.MinHeartbeatInterval, options.HeartbeatInterval);

        int partSize = Math.Min(options.PartSize, maxBody - PartOverhead);
        return new SessionTerms(version, maxBody, heartbeat, partSize);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;
}
