using System.Text;

namespace TamTam.Client.Internal;

/// <summary>
/// Turns the link, node and port names of incoming frames into strings without allocating for names seen
/// before: a small direct-mapped cache keyed by the UTF-8 bytes. Used by the read loop only (one thread at
/// a time), so it needs no locking.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Slots = 256;

    private readonly Entry?[] _entries = new Entry?[Slots];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        int slot = hash.ToHashCode() & (Slots - 1);
        Entry? entry = _entries[slot];
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        string value = Encoding.UTF8.GetString(utf8);
        _entries[slot] = new Entry(utf8.ToArray(), value);
        return value;
    }

    private sealed record Entry(byte[] Utf8, string Value);
}
