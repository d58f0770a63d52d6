using System.Collections.Concurrent;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// Encodes link and port names to UTF-8 once: an application sends to a handful of ports, so SEND reuses
/// the encoded bytes instead of encoding the same string for every message.
/// </summary>
internal sealed class Utf8NameEncoder
{
    // Enough for every port a service realistically addresses; names beyond it are encoded per call.
    private const int Capacity = 1_024;

    private readonly ConcurrentDictionary<string, Utf8Text> _names = new(StringComparer.Ordinal);

    public Utf8Text Encode(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Utf8Text.Empty;
        }

        if (_names.TryGetValue(name, out Utf8Text encoded))
        {
            return encoded;
        }

        encoded = Utf8Text.From(name);
        if (_names.Count < Capacity)
        {
            _names.TryAdd(name, encoded);
        }

        return encoded;
    }
}
