using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Storage.Hosting;

/// <summary>Adds <see cref="LocalDirectoryGrainStorage"/> to a silo.</summary>
public static class LocalStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a grain storage called <paramref name="name"/> that keeps state in a local directory.
    /// Its options are the named <see cref="LocalStorageOptions"/> <paramref name="name"/>, validated
    /// when the silo starts.
    /// </summary>
    /// <remarks>
    /// The state serializer is the <see cref="IGrainStorageSerializer"/> registered under the key
    /// <paramref name="name"/>, else the silo's default one (Orleans' JSON serializer unless changed,
    /// e.g. by <c>UseSystemTextJsonGrainStorageSerializer()</c>).
    /// </remarks>
    public static ISiloBuilder AddLocalDirectoryGrainStorage(this ISiloBuilder builder, string name, Action<LocalStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddLocalStorageOptions(name).Configure(configure);

        // AddGrainStorage also registers the storage, unkeyed, as a lifecycle participant: the silo
        // only runs unkeyed participants, so registering it keyed by hand would skip its start.
        builder.Services.AddGrainStorage(name, static (sp, storageName) => new LocalDirectoryGrainStorage(
            storageName,
            sp.GetRequiredService<IOptionsMonitor<LocalStorageOptions>>().Get(storageName),
            sp.GetKeyedService<IGrainStorageSerializer>(storageName) ?? sp.GetRequiredService<IGrainStorageSerializer>(),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetRequiredService<ILogger<LocalDirectoryGrainStorage>>()));
        return builder;
    }

    /// <summary>
    /// Adds local-directory grain storage as the silo's default storage (the one
    /// <c>[PersistentState("state")]</c> uses when it names no storage).
    /// </summary>
    public static ISiloBuilder AddLocalDirectoryGrainStorageAsDefault(this ISiloBuilder builder, Action<LocalStorageOptions> configure) =>
        builder.AddLocalDirectoryGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);
}
