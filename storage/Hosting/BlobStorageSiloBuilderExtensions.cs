using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;

namespace TamTam.Storage.Hosting;

/// <summary>Adds <see cref="BlobGrainStorage"/> to a silo.</summary>
public static class BlobStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a grain storage called <paramref name="name"/> that keeps state in Azure Blob Storage.
    /// Its options are the named <see cref="BlobStorageOptions"/> <paramref name="name"/>, validated
    /// when the silo starts; the silo's start also creates the container if it is missing.
    /// </summary>
    /// <remarks>
    /// The state serializer is the <see cref="IGrainStorageSerializer"/> registered under the key
    /// <paramref name="name"/>, else the silo's default one.
    /// </remarks>
    public static ISiloBuilder AddBlobGrainStorage(this ISiloBuilder builder, string name, Action<BlobStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddBlobStorageOptions(name).Configure(configure);

        // AddGrainStorage also registers the storage, unkeyed, as a lifecycle participant (see the local one).
        builder.Services.AddGrainStorage(name, static (sp, storageName) => new BlobGrainStorage(
            storageName,
            sp.GetRequiredService<IOptionsMonitor<BlobStorageOptions>>().Get(storageName),
            sp.GetKeyedService<IGrainStorageSerializer>(storageName) ?? sp.GetRequiredService<IGrainStorageSerializer>(),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetRequiredService<ILogger<BlobGrainStorage>>()));
        return builder;
    }

    /// <summary>
    /// Adds blob grain storage as the silo's default storage (the one <c>[PersistentState("state")]</c>
    /// uses when it names no storage).
    /// </summary>
    public static ISiloBuilder AddBlobGrainStorageAsDefault(this ISiloBuilder builder, Action<BlobStorageOptions> configure) =>
        builder.AddBlobGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);
}
