using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>A session's binding as streaming mode sees it: the port, and with <see cref="Subtree"/> every port below it.</summary>
internal readonly record struct StreamBinding(string Link, string Port, bool Subtree)
{
    /// <summary>The stream of the packets addressed to the bound port alone.</summary>
    public string PortKey => StreamNames.Key(Link, Port);

    /// <summary>Whether this binding receives the stream <paramref name="key"/>.</summary>
    public bool Covers(string key) => StreamNames.Covers(Link, Port, Subtree, key);
}
