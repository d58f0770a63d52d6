using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The UTF-8 forms of the link, node and port names a session's deliveries carry. A session sees few
/// distinct names, so each is encoded and validated once instead of four times per DELIVER.
/// </summary>
internal sealed class NameCache
{
    // A session that somehow sees more distinct names than this simply stops caching new ones.
    private const int Capacity = 1_024;

    private readonly Dictionary<string, Utf8Text> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Utf8Text> _ports = new(StringComparer.Ordinal);

    public Utf8Text Name(string value) => Get(_names, value, Utf8Text.Name);

    public Utf8Text Port(string value) => Get(_ports, value, Utf8Text.Port);

    private static Utf8Text Get(Dictionary<string, Utf8Text> cache, string value, Func<string, Utf8Text> encode)
    {
        if (cache.TryGetValue(value, out Utf8Text text))
        {
            return text;
        }

        text = encode(value);
        if (cache.Count < Capacity)
        {
            cache[value] = text;
        }

        return text;
    }
}
