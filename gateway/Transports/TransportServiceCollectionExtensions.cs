using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TamTam.Gateway.Transports;

/// <summary>Registers the gateway's transports beyond TCP.</summary>
public static class TransportServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="UnixConnectionHandler"/>, <see cref="WebSocketConnectionHandler"/> and
    /// <see cref="InMemoryGatewayConnector"/> as singletons, beside what <c>AddTamTamGateway</c> registers.
    /// Registering opens nothing: the host listens (<c>ListenUnixSocket</c>, <c>MapTamTamWebSocket</c>).
    /// </summary>
    public static IServiceCollection AddTamTamGatewayTransports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<UnixConnectionHandler>();
        services.TryAddSingleton<WebSocketConnectionHandler>();
        services.TryAddSingleton<InMemoryGatewayConnector>();
        return services;
    }
}
