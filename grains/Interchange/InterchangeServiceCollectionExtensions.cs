using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TamTam.Grains.Interchange.Internal;

namespace TamTam.Grains.Interchange;

/// <summary>Registers the interchange's policy and meters in a silo's services.</summary>
public static class InterchangeServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="InterchangeOptions"/>, bound from <c>TamTam:Interchange</c> when <paramref name="configuration"/> is given
    /// and validated at start (an unknown key or a value out of range stops the host, naming the key), and
    /// <see cref="InterchangeMetrics"/>, and <see cref="RoamingWakeUp"/>, which wakes the links with roaming messages when the
    /// silo starts so that they route them again after a restart.
    /// </summary>
    public static IServiceCollection AddTamTamInterchange(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<InterchangeOptions> options = services.AddOptions<InterchangeOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(InterchangeOptions.Section), binder => binder.ErrorOnUnknownConfiguration = true);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InterchangeOptions>, InterchangeOptionsValidator>());
        services.TryAddSingleton<InterchangeMetrics>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RoamingWakeUp>();
        return services;
    }
}
