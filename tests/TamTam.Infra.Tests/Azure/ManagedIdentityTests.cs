using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using TamTam.Infra.Tests.Infrastructure;
using TamTam.Storage.Blob;

namespace TamTam.Infra.Tests.Azure;

/// <summary>
/// The silo reaches storage with the deployment's managed identity when it is given service URIs and no key: checked as
/// far as it can be without Azure, on the clients the silo builds from its settings.
/// </summary>
public sealed class ManagedIdentityTests
{
    private static readonly Dictionary<string, string> ServiceUris = new()
    {
        ["TamTam:Storage:Backend"] = "blob",
        ["TamTam:Storage:Blob:ServiceUri"] = "https://tamtamexample.blob.core.windows.net/",
        ["TamTam:Cluster:Mode"] = "azure-table",
        ["TamTam:Cluster:AzureTable:ServiceUri"] = "https://tamtamexample.table.core.windows.net/",
        ["TamTam:Cluster:Kubernetes"] = "off",
    };

    [Fact]
    public async Task A_blob_service_uri_without_a_key_gets_a_token_credential()
    {
        await using SiloConfiguration silo = SiloConfiguration.Build(ServiceUris);

        BlobStorageOptions blob = silo.Services.GetRequiredService<IOptionsMonitor<BlobStorageOptions>>().Get(Options.DefaultName);

        Assert.Null(blob.ConnectionString);
        Assert.Equal(new Uri(ServiceUris["TamTam:Storage:Blob:ServiceUri"]), blob.ServiceUri);
        Assert.IsType<DefaultAzureCredential>(blob.Credential);
    }

    [Fact]
    public async Task A_blob_service_uri_with_a_sas_token_is_used_as_it_is()
    {
        await using SiloConfiguration silo = SiloConfiguration.Build(new Dictionary<string, string>(ServiceUris)
        {
            ["TamTam:Storage:Blob:ServiceUri"] = "https://tamtamexample.blob.core.windows.net/?sv=2025-11-05&sig=abc",
        });

        Assert.Null(silo.Services.GetRequiredService<IOptionsMonitor<BlobStorageOptions>>().Get(Options.DefaultName).Credential);
    }

    [Fact]
    public async Task The_membership_table_is_reached_at_its_service_uri()
    {
        await using SiloConfiguration silo = SiloConfiguration.Build(ServiceUris);

        AzureStorageClusteringOptions clustering = silo.Services.GetRequiredService<IOptions<AzureStorageClusteringOptions>>().Value;

        Assert.Equal("tamtamexample", clustering.TableServiceClient!.AccountName);
        Assert.Equal(new Uri(ServiceUris["TamTam:Cluster:AzureTable:ServiceUri"]), clustering.TableServiceClient.Uri);
    }

    [Fact]
    public void The_credential_picks_the_user_assigned_identity_that_AZURE_CLIENT_ID_names()
    {
        // Azure.Identity reads AZURE_CLIENT_ID when the credential is made: the template sets it to the identity's client id.
        string? before = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID");
        try
        {
            Environment.SetEnvironmentVariable("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000042");
            Assert.Equal("00000000-0000-0000-0000-000000000042", new DefaultAzureCredentialOptions().ManagedIdentityClientId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURE_CLIENT_ID", before);
        }
    }
}
