using Azure;
using Azure.Storage.Blobs;
using TamTam.Storage.Blob;
using TamTam.Storage.Blob.Internal;

namespace TamTam.Storage.Health;

/// <summary>
/// Uploads and deletes one small blob (<c>probes/&lt;guid&gt;</c>) in the backend's container: an unreachable
/// account, a missing container, expired credentials or a read-only SAS fail it.
/// </summary>
public sealed class BlobStorageProbe : IStorageProbe
{
    // A probe answers a health check: an account that does not answer within this long counts as not writable,
    // rather than holding the check through the SDK's retries.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly BlobContainer _container;

    public BlobStorageProbe(BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _container = new BlobContainer(options);
    }

    public async Task<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        BlobClient probe = _container.Client.GetBlobClient($"probes/{Guid.NewGuid():N}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe.UploadAsync(BinaryData.FromBytes([1]), overwrite: true, timeout.Token).ConfigureAwait(false);
            await probe.DeleteIfExistsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RequestFailedException or IOException or AggregateException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
