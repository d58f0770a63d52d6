using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// An Orleans <see cref="StreamId"/> read as one TamTam stream: the namespace is the link, the key the port — the
/// packets addressed to the port alone — or the port followed by '/' — the packets addressed to its subtree (SUBTREE),
/// a stream of its own, numbered apart (docs/protocol.md 5.16).
/// </summary>
internal readonly record struct PortStreamId(StreamId Id, string Link, string Port, bool Subtree)
{
    /// <summary>The port grain's key (<see cref="StreamNames.Key"/>).</summary>
    public string Key => StreamNames.Key(Link, Port, Subtree);

    public static PortStreamId Of(StreamId id)
    {
        string? link = id.GetNamespace();
        string key = id.GetKeyAsString();
        if (string.IsNullOrEmpty(link) || link.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"the stream {id} names no link: create it as StreamId.Create(link, port)", nameof(id));
        }

        bool subtree = key.EndsWith('/');
        string port = subtree ? key[..^1] : key;
        if (port.Length == 0 || port.Contains(':', StringComparison.Ordinal) || port.EndsWith('/'))
        {
            throw new ArgumentException($"the stream {id} names no port: its key is the port, or the port and '/' for its subtree", nameof(id));
        }

        return new PortStreamId(id, link, port, subtree);
    }

    /// <summary>The Orleans stream of the port grain key <paramref name="key"/>.</summary>
    public static StreamId FromKey(string key)
    {
        (string link, string port, bool subtree) = StreamNames.Parse(key);
        return StreamId.Create(link, subtree ? port + "/" : port);
    }
}
