namespace TamTam.Gateway.Security.Internal;

/// <summary>
/// A send pattern of an access token (docs/security.md, section 3): <c>port-pattern</c> (a destination in the
/// sender's own, joined link) or <c>link:port-pattern</c>, where the link is a name or <c>*</c> (any link).
/// </summary>
internal sealed class AddressPattern
{
    private readonly byte[]? _link;
    private readonly bool _anyLink;
    private readonly PortPattern _port;

    private AddressPattern(string text, string? link, PortPattern port)
    {
        Text = text;
        Link = link;
        _anyLink = link == PortPattern.AnySegment;
        _link = link is null || _anyLink ? null : System.Text.Encoding.UTF8.GetBytes(link);
        _port = port;
    }

    /// <summary>The pattern as written in the token.</summary>
    public string Text { get; }

    /// <summary>The link part: a name, <c>*</c>, or <see langword="null"/> for the sender's own link.</summary>
    public string? Link { get; }

    public static bool TryParse(string? text, out AddressPattern? pattern, out string? error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "an address pattern is not empty";
            return false;
        }

        // Names never contain ':', so the first colon is the only one a valid pattern has.
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string? link = colon < 0 ? null : text[..colon];
        string port = colon < 0 ? text : text[(colon + 1)..];
        if (link is not null && link != PortPattern.AnySegment && !ClaimRules.IsName(link))
        {
            error = $"\"{text}\": the link before ':' is a name or '*'";
            return false;
        }

        if (!PortPattern.TryParse(port, out PortPattern? portPattern, out error))
        {
            error = $"\"{text}\": {error}";
            return false;
        }

        pattern = new AddressPattern(text, link, portPattern!);
        return true;
    }

    /// <summary>
    /// True when a SEND from a node of <paramref name="ownLink"/> to <paramref name="destinationLink"/> (empty:
    /// the own link) and <paramref name="port"/> is covered, with its <paramref name="subtree"/> flag.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> ownLink, ReadOnlySpan<byte> destinationLink, ReadOnlySpan<byte> port, bool subtree)
    {
        ReadOnlySpan<byte> link = destinationLink.IsEmpty ? ownLink : destinationLink;
        bool linkMatches = _anyLink || (_link is null ? link.SequenceEqual(ownLink) : link.SequenceEqual(_link));
        return linkMatches && _port.Matches(port, subtree);
    }

    /// <summary>True when this pattern can reach some port of <paramref name="link"/> for a node of <paramref name="ownLink"/>.</summary>
    public bool Reaches(ReadOnlySpan<byte> ownLink, ReadOnlySpan<byte> link) =>
        _anyLink || (_link is null ? link.SequenceEqual(ownLink) : link.SequenceEqual(_link));

    public override string ToString() => Text;
}
