using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>Registers the warm-up before the listeners open (<see cref="WarmUpService"/>) and its settings.</summary>
internal static class WarmUpHosting
{
    /// <summary>
    /// Binds <c>TamTam:WarmUp</c> (validated at start) and adds the warm-up. Call it after <c>UseOrleans</c>: hosted
    /// services start in the order they were added, the web host's always last, so the warm-up runs once the silo is in
    /// the cluster and before the listeners open.
    /// </summary>
    public static IServiceCollection AddTamTamWarmUp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WarmUpOptions>()
            .Bind(configuration.GetSection(WarmUpOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WarmUpOptions>, WarmUpOptionsValidator>());
        services.AddHostedService<WarmUpService>();
        return services;
    }
}
