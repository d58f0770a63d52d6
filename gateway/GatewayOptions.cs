using TamTam.Protocol;

namespace TamTam.Gateway;

/// <summary>
/// Limits and timers of the gateway's wire-protocol sessions, bound from the configuration section
/// <c>TamTam:Gateway</c> (for example <c>TamTam:Gateway:MaxBody</c> or the environment variable
/// <c>TAMTAM__GATEWAY__MAXBODY</c>). Checked when the host starts; a bad value stops the start with a
/// message naming its key.
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "TamTam:Gateway";

    /// <summary>The default of <see cref="MaxUnfinishedFrameBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxUnfinishedFrameBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The shortest heartbeat there is: a client's shorter request in HELLO is raised to it, and
    /// <see cref="HeartbeatInterval"/> may not be set below it. The idle close comes after three heartbeats, so never
    /// sooner than 3 s: a shorter silence is a garbage collection or a busy machine more often than a dead peer.
    /// </summary>
    public static readonly TimeSpan MinHeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The largest frame body the server accepts after the handshake, 1,024 … 16,777,216 bytes.
    /// WELCOME announces the smaller of this and the client's own maximum.
    /// </summary>
    public int MaxBody { get; set; } = ProtocolLimits.DefaultMaxBody;

    /// <summary>How long a new connection may take to send its HELLO before it is closed with error 210.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The server's heartbeat: it PINGs every session this often, and closes a connection on which nothing
    /// arrived for three intervals (error 210). A client may ask for a shorter interval, never a longer one.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one frame may take to arrive once its first byte has: a frame still incomplete after this long
    /// closes the connection with error 210 (docs/protocol.md, section 6.3). Raise it with <see cref="MaxBody"/>
    /// for clients on slow links: the default lets a 1 MiB frame arrive at about 35 KB/s.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most bytes the frames that connections have begun but not finished sending may hold at the gateway, all
    /// connections together. A connection whose unfinished frame would take the total beyond it is closed with error
    /// 501 (fatal, "retry later"), and its bytes are freed. At least <see cref="MaxBody"/> + 16, so that one frame of the
    /// largest size always fits.
    /// </summary>
    public long MaxUnfinishedFrameBytes { get; set; } = DefaultMaxUnfinishedFrameBytes;

    /// <summary>How long a disconnected session is kept for resumption (announced in WELCOME).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// SENDs a client may have without ACCEPTED or ERROR (announced in WELCOME). The SENDs of one read are
    /// answered together, so this bounds the SENDs of one read: beyond it, each further SEND gets error 209.
    /// </summary>
    public int MaxInflight { get; set; } = 1024;

    /// <summary>
    /// Frames per second one connection may send after WELCOME, as a token bucket refilled at this rate and
    /// holding <see cref="FrameBurst"/>. A frame beyond it is discarded unread and answered with error 208
    /// (its correlation; the session goes on). 0 (the default): no limit.
    /// </summary>
    public int MaxFramesPerSecond { get; set; }

    /// <summary>
    /// How many frames a connection may send at once before <see cref="MaxFramesPerSecond"/> applies (the
    /// bucket's size, full when the session starts). 0 (the default): one second's worth.
    /// </summary>
    public int FrameBurst { get; set; }

    /// <summary>
    /// The part size for large payloads. A session announces at most what fits in one PART frame under its
    /// negotiated maximum body.
    /// </summary>
    public int PartSize { get; set; } = 1_048_576;

    /// <summary>
    /// Parts of one transfer that may be in flight in each direction: a sender's PARTs not yet answered with
    /// PART_ACK (beyond it a PART is answered 403 WINDOW_FULL), and the PARTs the gateway streams to a receiver
    /// before it waits for the receiver's PART_ACKs. It bounds the memory a transfer holds at the gateway to
    /// this many parts.
    /// </summary>
    public int PartWindow { get; set; } = 16;

    /// <summary>The largest parted payload a SEND may announce (303 beyond it).</summary>
    public long MaxTransferBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>
    /// Streaming mode: how long a subscriber's socket may take nothing, while packets wait for it, before the subscriber
    /// counts as stopped. Until then its backlog holds the streams' publishers back (they pause rather than lose
    /// packets); after it, the subscriber holds nobody back and loses what does not fit its buffer, counted. Raise it
    /// where subscribers may be starved of CPU for longer (a heavily shared host); every publisher of a stream then
    /// waits that long at most for a subscriber that stopped reading.
    /// </summary>
    public TimeSpan StreamStallTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The server identifier WELCOME carries (at most 255 bytes of UTF-8).</summary>
    public string ServerName { get; set; } = "tamtam-cloud/0.1.0";
}
