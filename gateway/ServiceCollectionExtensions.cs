using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Security;
using TamTam.Gateway.Security.Internal;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Streams;
using TamTam.Gateway.Transports;
using TamTam.Interfaces.Streams;

namespace TamTam.Gateway;

/// <summary>Registers the gateway in a host's services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: <see cref="GatewayOptions"/> (bound from <c>TamTam:Gateway</c> when
    /// <paramref name="configuration"/> is given, validated at start), <see cref="SecurityOptions"/> (likewise from
    /// <c>TamTam:Security</c>: anonymous access and token keys), <see cref="GatewaySessionHost"/>,
    /// <see cref="TcpConnectionHandler"/>, <see cref="GatewayStatistics"/> and <see cref="GatewayMetrics"/>.
    /// A transport is opened by the host, e.g. <c>listenOptions.UseConnectionHandler&lt;TcpConnectionHandler&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddTamTamGateway(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsBuilder<GatewayOptions> options = services.AddOptions<GatewayOptions>();
        if (configuration is not null)
        {
            // An unknown key under TamTam:Gateway is a typo, not something to ignore silently.
            options.Bind(configuration.GetSection(GatewayOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());

        OptionsBuilder<SecurityOptions> security = services.AddOptions<SecurityOptions>();
        if (configuration is not null)
        {
            security.Bind(configuration.GetSection(SecurityOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        }

        security.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<GatewayStatistics>();
        services.TryAddSingleton<GatewayStreams>();

        // The port grains of this silo reach its relay in-process (null without a silo: then no grain asks).
        services.TryAddSingleton<ILocalStreamRelay>(sp => sp.GetRequiredService<GatewayStreams>().Relay!);
        services.TryAddSingleton<GatewaySessionHost>();
        services.TryAddSingleton<TcpConnectionHandler>();
        return services;
    }
}
