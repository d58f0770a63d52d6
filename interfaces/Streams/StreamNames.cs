namespace TamTam.Interfaces.Streams;

/// <summary>The names streaming mode shares between the port grains and the gateway's relays.</summary>
public static class StreamNames
{
    /// <summary><c>link:port</c> — unambiguous because ':' is in neither names nor ports (docs/protocol.md 2.1).</summary>
    public static string Key(string link, string port) => string.Concat(link, ":", port);
}
