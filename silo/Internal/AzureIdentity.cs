using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using TamTam.Storage.Blob;

namespace TamTam.Silo.Internal;

/// <summary>
/// How the silo authenticates to Azure Storage when it is given a service URI instead of a connection string: a token
/// from <c>DefaultAzureCredential</c> (managed identity, workload identity, the <c>AZURE_*</c> variables), one per silo.
/// </summary>
internal static class AzureIdentity
{
    /// <summary>Binds <c>TamTam:Storage:Blob</c>; a service URI without a SAS token in its query gets <paramref name="credential"/>.</summary>
    public static Action<BlobStorageOptions> BindBlob(IConfigurationSection blob, TokenCredential? credential = null)
    {
        TokenCredential? shared = credential;
        return o =>
        {
            blob.Bind(o);
            if (string.IsNullOrWhiteSpace(o.ConnectionString) && o.ServiceUri is { } uri && string.IsNullOrEmpty(uri.Query) && o.Credential is null)
            {
                o.Credential = shared ??= new DefaultAzureCredential();
            }
        };
    }
}
