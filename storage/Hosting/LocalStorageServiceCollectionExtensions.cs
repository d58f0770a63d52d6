using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Storage.Hosting;

/// <summary>Registers the local-directory backend's segment logs.</summary>
public static class LocalStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISegmentLogStore"/> as a <see cref="LocalSegmentLogStore"/> over the
    /// (unnamed) <see cref="LocalStorageOptions"/>, validated when the host starts, plus
    /// <see cref="StorageMetrics"/>.
    /// </summary>
    /// <param name="services">The services to add to.</param>
    /// <param name="configure">Sets the options; omit it to keep the defaults (<c>./data</c>, 64 MiB segments).</param>
    public static IServiceCollection AddTamTamLocalStorage(this IServiceCollection services, Action<LocalStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddLocalStorageOptions(Options.DefaultName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new LocalSegmentLogStore(
            sp.GetRequiredService<IOptions<LocalStorageOptions>>().Value,
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetRequiredService<ILogger<LocalSegmentLogStore>>()));
        services.TryAddSingleton<ISegmentLogStore>(sp => sp.GetRequiredService<LocalSegmentLogStore>());
        return services;
    }

    /// <summary>Options <paramref name="name"/> validated on start, and the shared metrics.</summary>
    internal static OptionsBuilder<LocalStorageOptions> AddLocalStorageOptions(this IServiceCollection services, string name)
    {
        services.AddMetrics();
        services.TryAddSingleton<StorageMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalStorageOptions>, LocalStorageOptionsValidator>());
        return services.AddOptions<LocalStorageOptions>(name).ValidateOnStart();
    }
}
