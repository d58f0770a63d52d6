using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;
using TamTam.Storage.Payloads;

namespace TamTam.Storage.Hosting;

/// <summary>Registers the local-directory backend's segment logs and payload store.</summary>
public static class LocalStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISegmentLogStore"/> as a <see cref="LocalSegmentLogStore"/> and
    /// <see cref="IPayloadStore"/> as a <see cref="LocalPayloadStore"/>, both over the (unnamed)
    /// <see cref="LocalStorageOptions"/>, validated when the host starts, plus <see cref="StorageMetrics"/>.
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
        services.TryAddSingleton(sp => new LocalPayloadStore(
            sp.GetRequiredService<IOptions<LocalStorageOptions>>().Value,
            sp.GetRequiredService<ILogger<LocalPayloadStore>>()));
        services.TryAddSingleton<IPayloadStore>(sp => sp.GetRequiredService<LocalPayloadStore>());
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
