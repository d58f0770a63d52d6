namespace TamTam.Interfaces.Streams;

/// <summary>The names streaming mode shares between the port grains and the gateway's relays.</summary>
public static class StreamNames
{
    /// <summary>
    /// The key of a port's stream: <c>link:port</c> for the packets addressed to the port alone, <c>link:port/</c>
    /// for those addressed to its subtree (SUBTREE). Unambiguous because ':' is in neither names nor ports and a
    /// port never ends with '/' (docs/protocol.md 2.1).
    /// </summary>
    public static string Key(string link, string port, bool subtree = false) =>
        subtree ? string.Concat(link, ":", port, "/") : string.Concat(link, ":", port);

    /// <summary>The link, port and SUBTREE of a key made by <see cref="Key"/>.</summary>
    public static (string Link, string Port, bool Subtree) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == key.Length - 1)
        {
            throw new ArgumentException($"\"{key}\" is not a stream key (link:port)", nameof(key));
        }

        bool subtree = key[^1] == '/';
        return (key[..colon], key[(colon + 1)..(subtree ? key.Length - 1 : key.Length)], subtree);
    }

    /// <summary>
    /// Whether a binding of <paramref name="port"/> (of every port below it too with <paramref name="subtree"/>)
    /// receives the stream <paramref name="key"/> — the same matching SEND and BIND have (docs/protocol.md 5.9, 5.10).
    /// </summary>
    public static bool Covers(string link, string port, bool subtree, string key)
    {
        (string keyLink, string keyPort, bool keySubtree) = Parse(key);
        return keyLink == link
            && (keyPort == port || (subtree && IsBelow(keyPort, port)) || (keySubtree && IsBelow(port, keyPort)));
    }

    private static bool IsBelow(string port, string root) =>
        port.Length > root.Length && port[root.Length] == '/' && port.StartsWith(root, StringComparison.Ordinal);
}
