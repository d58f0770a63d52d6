using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TamTam.Silo.Internal;

/// <summary>The parsed value of <c>TamTam:Listen:Address</c>, and how Kestrel binds it.</summary>
internal readonly record struct ListenAddress(bool IsLocalhost, bool IsAny, IPAddress? Address)
{
    public static bool TryParse(string? value, out ListenAddress address)
    {
        if (string.Equals(value, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(true, false, null);
            return true;
        }

        if (string.Equals(value, "any", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(false, true, null);
            return true;
        }

        if (IPAddress.TryParse(value, out IPAddress? ip))
        {
            address = new ListenAddress(false, false, ip);
            return true;
        }

        address = default;
        return false;
    }

    /// <summary>Adds a listener on <paramref name="port"/> and returns its options.</summary>
    public ListenOptions Listen(KestrelServerOptions kestrel, int port, Action<ListenOptions> configure)
    {
        ListenOptions? added = null;
        void Capture(ListenOptions options)
        {
            added = options;
            configure(options);
        }

        if (IsLocalhost && port != 0)
        {
            // Both loopbacks, 127.0.0.1 and [::1], so that "localhost" works whichever a client resolves.
            kestrel.ListenLocalhost(port, Capture);
        }
        else if (IsLocalhost)
        {
            // Kestrel cannot pick one free port for two loopback addresses: a free port is IPv4 only.
            kestrel.Listen(IPAddress.Loopback, 0, Capture);
        }
        else if (IsAny)
        {
            kestrel.ListenAnyIP(port, Capture);
        }
        else
        {
            kestrel.Listen(Address!, port, Capture);
        }

        return added ?? throw new InvalidOperationException("Kestrel did not configure the listener.");
    }
}
