using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>Registers the graceful drain (<see cref="DrainService"/>) and its bound.</summary>
internal static class DrainHosting
{
    /// <summary>
    /// Binds <c>TamTam:Shutdown</c> (validated at start), makes the host's <c>ShutdownTimeout</c> follow
    /// <see cref="DrainOptions.Timeout"/>, and adds the drain as the first step of every stop.
    /// </summary>
    public static IServiceCollection AddTamTamDrain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DrainOptions>()
            .Bind(configuration.GetSection(DrainOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DrainOptions>, DrainOptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) => host.ShutdownTimeout = drain.Value.Timeout);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<DrainService>();
        return services;
    }
}
