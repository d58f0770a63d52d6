using Azure.Storage.Blobs;

namespace TamTam.Storage.Blob.Internal;

/// <summary>
/// The one container a blob store works in, created on first use (once per store; tried again after a
/// failure, so a service that was briefly unreachable at start does not break the store for good).
/// </summary>
internal sealed class BlobContainer
{
    private readonly Lock _gate = new();
    private Task? _creation;

    public BlobContainer(BlobStorageOptions options) => Client = CreateServiceClient(options).GetBlobContainerClient(options.ContainerName);

    /// <summary>
    /// The account's client as <paramref name="options"/> describe it (connection string, or service URI with the
    /// credential or a SAS token), so that the segment logs, the payloads and Orleans' grain storage reach it alike.
    /// </summary>
    public static BlobServiceClient CreateServiceClient(BlobStorageOptions options)
    {
        var clientOptions = options.ServiceVersion is { } version ? new BlobClientOptions(version) : new BlobClientOptions();
        clientOptions.Retry.Mode = Azure.Core.RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        return !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.ConnectionString, clientOptions)
            : options.Credential is { } credential
                ? new BlobServiceClient(options.ServiceUri!, credential, clientOptions)
                : new BlobServiceClient(options.ServiceUri!, clientOptions);
    }

    /// <summary>The container's client; call <see cref="EnsureCreatedAsync"/> before the first write.</summary>
    public BlobContainerClient Client { get; }

    /// <summary>The container's address without any query (so without a SAS token), for log messages.</summary>
    public string Address => Client.Uri.GetLeftPart(UriPartial.Path);

    /// <summary>Creates the container if it does not exist; completes at once after the first success.</summary>
    public Task EnsureCreatedAsync()
    {
        var current = Volatile.Read(ref _creation);
        if (current is { IsCompletedSuccessfully: true })
        {
            return current;
        }

        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                _creation = Client.CreateIfNotExistsAsync();
            }

            return _creation;
        }
    }
}
