using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TamTam.Grains.Links.Internal;

namespace TamTam.Grains.Links;

/// <summary>Registers the link orchestrators' settings in a silo's services.</summary>
public static class LinksServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="OrchestratorOptions"/>, bound from <c>TamTam:Links</c> when <paramref name="configuration"/> is
    /// given and validated at start: an unknown key under <c>TamTam:Links</c> or a value out of its range stops the
    /// host from starting, with a message that names the key.
    /// </summary>
    public static IServiceCollection AddTamTamLinks(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<OrchestratorOptions> options = services.AddOptions<OrchestratorOptions>();
        if (configuration is not null)
        {
            // An unknown key under TamTam:Links is a typo, not something to ignore silently.
            options.Bind(configuration.GetSection(OrchestratorOptions.Section), binder => binder.ErrorOnUnknownConfiguration = true);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptionsValidator>());
        services.TryAddSingleton<WarmUpLinks>();
        return services;
    }
}
