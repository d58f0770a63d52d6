using TamTam.Protocol;

namespace TamTam.Gateway.Security.Internal;

/// <summary>
/// A port pattern of an access token (docs/security.md, section 3): <c>/</c>-separated segments, each a
/// name (matched byte for byte), <c>*</c> (exactly one segment, any name) or, as the last segment only,
/// <c>**</c> (the ports matched so far and every port below them).
/// </summary>
/// <remarks>
/// Matching runs on the UTF-8 bytes a frame carries, without decoding or allocating: a SEND is checked
/// against the token on every frame.
/// </remarks>
internal sealed class PortPattern
{
    public const string AnySegment = "*";
    public const string AnySubtree = "**";

    // One entry per segment before a trailing "**": the literal name's bytes, or null for "*".
    private readonly byte[]?[] _segments;
    private readonly bool _subtree;

    private PortPattern(string text, byte[]?[] segments, bool subtree)
    {
        Text = text;
        _segments = segments;
        _subtree = subtree;
    }

    /// <summary>The pattern as written in the token.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says what is wrong when it is not a pattern.</summary>
    public static bool TryParse(string? text, out PortPattern? pattern, out string? error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "a port pattern is not empty";
            return false;
        }

        try
        {
            // '*' and '**' are valid names, so a pattern is first of all a valid port name (1-255 bytes of names).
            _ = Utf8Text.Port(text);
        }
        catch (ProtocolException)
        {
            error = $"\"{text}\" is not a port pattern: '/'-separated names, '*' or a final '**', at most 255 bytes";
            return false;
        }

        string[] parts = text.Split('/');
        bool subtree = parts[^1] == AnySubtree;
        int fixedCount = subtree ? parts.Length - 1 : parts.Length;
        var segments = new byte[]?[fixedCount];
        for (int i = 0; i < fixedCount; i++)
        {
            string part = parts[i];
            if (part == AnySegment)
            {
                continue;
            }

            if (part.Contains('*', StringComparison.Ordinal))
            {
                // Partial globs ("ord*") would silently match nothing: refused so that a typo cannot pass for a grant.
                error = part == AnySubtree
                    ? $"\"{text}\": '**' may only be the last segment"
                    : $"\"{text}\": a segment is a name, '*' or a final '**'; '*' inside a name is not a wildcard and not allowed";
                return false;
            }

            segments[i] = System.Text.Encoding.UTF8.GetBytes(part);
        }

        pattern = new PortPattern(text, segments, subtree);
        error = null;
        return true;
    }

    /// <summary>
    /// True when the pattern covers <paramref name="port"/> (UTF-8, a valid port name) — and, when
    /// <paramref name="subtree"/> is set, every port below it as well, which only a pattern ending in <c>**</c> can.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> port, bool subtree)
    {
        int index = 0;
        while (true)
        {
            if (index == _segments.Length)
            {
                // The port goes deeper than the pattern's fixed segments: only "**" covers the rest (and all below it).
                return _subtree;
            }

            int slash = port.IndexOf((byte)'/');
            ReadOnlySpan<byte> segment = slash < 0 ? port : port[..slash];
            if (_segments[index] is { } literal && !segment.SequenceEqual(literal))
            {
                return false;
            }

            index++;
            if (slash < 0)
            {
                break;
            }

            port = port[(slash + 1)..];
        }

        // Every segment of the port matched; the pattern must not ask for more, and a subtree needs "**".
        return index == _segments.Length && (_subtree || !subtree);
    }

    public override string ToString() => Text;
}
