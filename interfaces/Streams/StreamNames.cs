namespace TamTam.Interfaces.Streams;

/// <summary>The names streaming mode shares between the silo's configuration, the port grains and the gateway.</summary>
public static class StreamNames
{
    /// <summary>The Orleans stream provider (memory streams) the silo configures.</summary>
    public const string Provider = "tamtam-streams";

    /// <summary>The stream namespace of port streams; the stream key is <see cref="Key"/>.</summary>
    public const string Namespace = "tamtam.port";

    /// <summary>The grain storage Orleans' stream pub-sub keeps subscriptions in (memory: streams are not durable).</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary><c>link:port</c> — unambiguous because ':' is in neither names nor ports (docs/protocol.md 2.1).</summary>
    public static string Key(string link, string port) => string.Concat(link, ":", port);
}
