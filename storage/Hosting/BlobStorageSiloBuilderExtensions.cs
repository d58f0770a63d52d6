using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Providers;
using TamTam.Storage.Blob;
using TamTam.Storage.Blob.Internal;

namespace TamTam.Storage.Hosting;

/// <summary>Adds grain storage on Azure Blob Storage to a silo: Orleans' own blob provider, over TamTam's blob settings.</summary>
public static class BlobStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a grain storage called <paramref name="name"/> that keeps state in Azure Blob Storage through
    /// <c>Microsoft.Orleans.Persistence.AzureStorage</c> (<c>AddAzureBlobGrainStorage</c>), in the account and
    /// container of the <see cref="BlobStorageOptions"/> <paramref name="configure"/> sets: the same connection
    /// string, or service URI with its credential, as the segment logs and payloads. Those options are validated when
    /// the silo starts, naming a bad key; the silo's start creates the container if it is missing.
    /// </summary>
    /// <remarks>
    /// Orleans names each state's blob <c>&lt;state name&gt;-&lt;grain id&gt;.json</c> at the container's root, beside the
    /// <c>logs/</c> and <c>payloads/</c> prefixes, and writes it under the blob's ETag (a stale activation's write fails
    /// with <c>InconsistentStateException</c>). The state serializer is the silo's default grain-storage serializer.
    /// </remarks>
    public static ISiloBuilder AddBlobGrainStorage(this ISiloBuilder builder, string name, Action<BlobStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddBlobStorageOptions(name).Configure(configure);
        builder.AddAzureBlobGrainStorage(name, (OptionsBuilder<AzureBlobStorageOptions> orleans) => orleans.Configure<IOptionsMonitor<BlobStorageOptions>>(
            (o, tamtam) =>
            {
                BlobStorageOptions settings = tamtam.Get(name);
                o.ContainerName = settings.ContainerName;
                o.InitStage = settings.InitStage;

                // Without an account the TamTam options' validation stops the start and names the key.
                if (!string.IsNullOrWhiteSpace(settings.ConnectionString) || settings.ServiceUri is not null)
                {
                    o.BlobServiceClient = BlobContainer.CreateServiceClient(settings);
                }
            }));
        return builder;
    }

    /// <summary>
    /// Adds blob grain storage as the silo's default storage (the one <c>[PersistentState("state")]</c>
    /// uses when it names no storage).
    /// </summary>
    public static ISiloBuilder AddBlobGrainStorageAsDefault(this ISiloBuilder builder, Action<BlobStorageOptions> configure) =>
        builder.AddBlobGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);
}
