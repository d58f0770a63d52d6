using System.Text;
using TamTam.Gateway.Security.Internal;

namespace TamTam.Gateway.Security;

/// <summary>
/// What an access token allows (docs/security.md): the link a session may join (and optionally under which
/// node name), the ports it may bind, the addresses it may send to, and until when. An
/// <see cref="AccessTokenIssuer"/> signs one into a token string; the interchange's <c>AccessTokenValidator</c>
/// reads one back from the token a client presents in HELLO.
/// </summary>
/// <remarks>
/// Every value is checked when it is set: a bad name or pattern throws <see cref="ArgumentException"/>, so
/// an instance always describes a token that a validator accepts. <c>with</c> expressions check again.
/// </remarks>
/// <example>
/// <code>
/// var claims = new AccessToken
/// {
///     Link = "billing",
///     Bind = ["invoices/**"],
///     Send = ["orders", "shop:orders/*"],
///     ExpiresAt = DateTimeOffset.UtcNow.AddHours(24),
/// };
/// </code>
/// </example>
public sealed record AccessToken
{
    private readonly string _link = ClaimRules.AnyLink;
    private readonly byte[] _linkUtf8 = [];
    private readonly string? _node;
    private readonly string? _station;
    private readonly string[] _bindTexts = [];
    private readonly PortPattern[] _bind = [];
    private readonly string[] _sendTexts = [];
    private readonly AddressPattern[] _send = [];
    private readonly DateTimeOffset _expiresAt;

    /// <summary>
    /// The link a session may JOIN: a link name, or <c>*</c> for any link. Names compare byte for byte.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a name (docs/protocol.md section 2.1) without <c>*</c>, nor <c>*</c>.</exception>
    public required string Link
    {
        get => _link;
        init
        {
            if (value != ClaimRules.AnyLink && !ClaimRules.IsName(value))
            {
                throw new ArgumentException($"The link claim \"{value}\" is neither a name nor '*'.", nameof(Link));
            }

            _link = value;
            _linkUtf8 = value == ClaimRules.AnyLink ? [] : Encoding.UTF8.GetBytes(value);
        }
    }

    /// <summary>The node name a session must JOIN under, or <see langword="null"/> for any name.</summary>
    /// <exception cref="ArgumentException">Not a name (docs/protocol.md section 2.1), or it contains <c>*</c>.</exception>
    public string? Node
    {
        get => _node;
        init => _node = value is null || ClaimRules.IsName(value)
            ? value
            : throw new ArgumentException($"The node claim \"{value}\" is not a name.", nameof(Node));
    }

    /// <summary>
    /// The station name the session may STATION_REGISTER as, <c>*</c> for any name, or <see langword="null"/> for no station
    /// rights. The links it may register are those <see cref="Link"/> covers.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a name (docs/protocol.md section 2.1) without <c>*</c>, nor <c>*</c>.</exception>
    public string? Station
    {
        get => _station;
        init => _station = value is null || value == ClaimRules.AnyLink || ClaimRules.IsName(value)
            ? value
            : throw new ArgumentException($"The station claim \"{value}\" is neither a name nor '*'.", nameof(Station));
    }

    /// <summary>
    /// Port patterns the session may BIND: names, <c>*</c> for one segment, a final <c>**</c> for a port and
    /// everything below it. A BIND with the SUBTREE flag needs a pattern ending in <c>**</c>. Empty: no BIND.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not a port pattern (docs/security.md section 3).</exception>
    public IReadOnlyList<string> Bind
    {
        get => _bindTexts;
        init
        {
            _bind = Parse<PortPattern>(value, nameof(Bind), PortPattern.TryParse);
            _bindTexts = Array.ConvertAll(_bind, p => p.Text);
        }
    }

    /// <summary>
    /// Address patterns the session may SEND to: <c>port-pattern</c> (in its own, joined link) or
    /// <c>link:port-pattern</c> (a link name or <c>*</c>). Empty: no SEND.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not an address pattern (docs/security.md section 3).</exception>
    public IReadOnlyList<string> Send
    {
        get => _sendTexts;
        init
        {
            _send = Parse<AddressPattern>(value, nameof(Send), AddressPattern.TryParse);
            _sendTexts = Array.ConvertAll(_send, p => p.Text);
        }
    }

    /// <summary>
    /// When the token stops being accepted, in whole seconds (a fraction is dropped). A session whose token
    /// expires is closed with error 202.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Before 1970-01-01T00:00:01Z.</exception>
    public required DateTimeOffset ExpiresAt
    {
        get => _expiresAt;
        init => _expiresAt = value.ToUnixTimeSeconds() >= 1
            ? DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds())
            : throw new ArgumentOutOfRangeException(nameof(ExpiresAt), value, "A token expires after 1970-01-01T00:00:01Z.");
    }

    /// <summary>True when a session may JOIN <paramref name="link"/> as <paramref name="node"/>.</summary>
    public bool AllowsJoin(string link, string node) =>
        (_link == ClaimRules.AnyLink || string.Equals(_link, link, StringComparison.Ordinal))
        && (_node is null || string.Equals(_node, node, StringComparison.Ordinal));

    /// <summary>True when a session may STATION_REGISTER as <paramref name="station"/> with <paramref name="link"/> among its links.</summary>
    public bool AllowsStation(string station, string link) =>
        _station is not null
        && (_station == ClaimRules.AnyLink || string.Equals(_station, station, StringComparison.Ordinal))
        && (_link == ClaimRules.AnyLink || string.Equals(_link, link, StringComparison.Ordinal));

    /// <summary>True when a session may BIND <paramref name="port"/> (with the SUBTREE flag when <paramref name="subtree"/>).</summary>
    public bool AllowsBind(string port, bool subtree = false)
    {
        ArgumentNullException.ThrowIfNull(port);
        return AllowsBind(Encoding.UTF8.GetBytes(port), subtree);
    }

    /// <summary>
    /// True when a node of <paramref name="ownLink"/> may SEND to <paramref name="port"/> in
    /// <paramref name="destinationLink"/> (<see langword="null"/> or empty: its own link).
    /// </summary>
    public bool AllowsSend(string ownLink, string? destinationLink, string port, bool subtree = false)
    {
        ArgumentNullException.ThrowIfNull(ownLink);
        ArgumentNullException.ThrowIfNull(port);
        return AllowsSend(Encoding.UTF8.GetBytes(ownLink), Encoding.UTF8.GetBytes(destinationLink ?? string.Empty),
            Encoding.UTF8.GetBytes(port), subtree);
    }

    /// <summary>
    /// True when a node of <paramref name="ownLink"/> may list the nodes of <paramref name="link"/> (NODES): its
    /// own link, a link it may join, or one its send patterns reach.
    /// </summary>
    public bool AllowsQuery(string ownLink, string link)
    {
        ArgumentNullException.ThrowIfNull(ownLink);
        ArgumentNullException.ThrowIfNull(link);
        return AllowsQuery(Encoding.UTF8.GetBytes(ownLink), Encoding.UTF8.GetBytes(link));
    }

    /// <summary>True when <paramref name="now"/> is at or past <see cref="ExpiresAt"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now >= _expiresAt;

    /// <summary>Claims are equal when every value is: the same link, node, expiry and the same patterns in the same order.</summary>
    public bool Equals(AccessToken? other) =>
        other is not null
        && string.Equals(_link, other._link, StringComparison.Ordinal)
        && string.Equals(_node, other._node, StringComparison.Ordinal)
        && string.Equals(_station, other._station, StringComparison.Ordinal)
        && _expiresAt == other._expiresAt
        && _bindTexts.AsSpan().SequenceEqual(other._bindTexts)
        && _sendTexts.AsSpan().SequenceEqual(other._sendTexts);

    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(_link), _node is null ? 0 : StringComparer.Ordinal.GetHashCode(_node), _expiresAt,
            _bindTexts.Length, _sendTexts.Length);

    /// <summary>The claims in one line, for logs and messages; a token carries no secret, its signature is not part of this.</summary>
    public override string ToString() =>
        $"link {_link}, node {_node ?? "(any)"}, bind [{string.Join(", ", _bindTexts)}], send [{string.Join(", ", _sendTexts)}]{(_station is null ? "" : $", station {_station}")}, expires {_expiresAt:u}";

    internal bool AllowsBind(ReadOnlySpan<byte> port, bool subtree)
    {
        foreach (PortPattern pattern in _bind)
        {
            if (pattern.Matches(port, subtree))
            {
                return true;
            }
        }

        return false;
    }

    internal bool AllowsSend(ReadOnlySpan<byte> ownLink, ReadOnlySpan<byte> destinationLink, ReadOnlySpan<byte> port, bool subtree)
    {
        foreach (AddressPattern pattern in _send)
        {
            if (pattern.Matches(ownLink, destinationLink, port, subtree))
            {
                return true;
            }
        }

        return false;
    }

    internal bool AllowsQuery(ReadOnlySpan<byte> ownLink, ReadOnlySpan<byte> link)
    {
        if (link.SequenceEqual(ownLink) || _link == ClaimRules.AnyLink || link.SequenceEqual(_linkUtf8))
        {
            return true;
        }

        foreach (AddressPattern pattern in _send)
        {
            if (pattern.Reaches(ownLink, link))
            {
                return true;
            }
        }

        return false;
    }

    private delegate bool TryParsePattern<T>(string? text, out T? pattern, out string? error);

    private static T[] Parse<T>(IReadOnlyList<string>? texts, string claim, TryParsePattern<T> tryParse)
        where T : class
    {
        if (texts is null || texts.Count == 0)
        {
            return [];
        }

        var patterns = new T[texts.Count];
        for (int i = 0; i < patterns.Length; i++)
        {
            if (!tryParse(texts[i], out T? pattern, out string? error))
            {
                throw new ArgumentException($"{claim}[{i}]: {error}", claim);
            }

            patterns[i] = pattern!;
        }

        return patterns;
    }
}
