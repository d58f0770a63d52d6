using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Health;
using TamTam.Storage.Payloads;

namespace TamTam.Storage.Hosting;

/// <summary>Registers the Azure Blob backend's segment logs and payload store.</summary>
public static class BlobStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISegmentLogStore"/> as a <see cref="BlobSegmentLogStore"/> and
    /// <see cref="IPayloadStore"/> as a <see cref="BlobPayloadStore"/>, both over the (unnamed)
    /// <see cref="BlobStorageOptions"/>, validated when the host starts, plus <see cref="StorageMetrics"/>. An
    /// <see cref="ILeaseHolderLiveness"/> registered in <paramref name="services"/> (the silo registers one over Orleans
    /// membership) lets the logs break a dead writer's lease at once.
    /// </summary>
    /// <param name="services">The services to add to.</param>
    /// <param name="configure">Sets the options: at least a connection string or a service URI.</param>
    public static IServiceCollection AddTamTamBlobStorage(this IServiceCollection services, Action<BlobStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddBlobStorageOptions(Options.DefaultName).Configure(configure);
        services.TryAddSingleton(sp => new BlobSegmentLogStore(
            sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value,
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetRequiredService<ILogger<BlobSegmentLogStore>>(),
            sp.GetService<ILeaseHolderLiveness>()));
        services.TryAddSingleton<ISegmentLogStore>(sp => sp.GetRequiredService<BlobSegmentLogStore>());
        services.TryAddSingleton(sp => new BlobPayloadStore(
            sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value,
            sp.GetRequiredService<ILogger<BlobPayloadStore>>()));
        services.TryAddSingleton<IPayloadStore>(sp => sp.GetRequiredService<BlobPayloadStore>());
        services.TryAddSingleton<IStorageProbe>(sp => new BlobStorageProbe(sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value));
        return services;
    }

    /// <summary>Options <paramref name="name"/> validated on start, and the shared metrics.</summary>
    internal static OptionsBuilder<BlobStorageOptions> AddBlobStorageOptions(this IServiceCollection services, string name)
    {
        services.AddMetrics();
        services.TryAddSingleton<StorageMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>());
        return services.AddOptions<BlobStorageOptions>(name).ValidateOnStart();
    }
}
