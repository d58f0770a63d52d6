using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TamTam.Silo.Internal;

/// <summary>
/// The Kestrel endpoints the host configured, kept so that the ports really bound (port 0 = any free one)
/// can be read back once the server has started.
/// </summary>
internal sealed class SiloEndpoints
{
    public ListenOptions? Tcp { get; set; }

    public ListenOptions? Http { get; set; }

    public static IPEndPoint Bound(ListenOptions? options, string name) =>
        options?.IPEndPoint ?? throw new InvalidOperationException($"The {name} endpoint is not configured.");
}
