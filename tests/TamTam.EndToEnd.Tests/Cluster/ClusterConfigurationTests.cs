using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using TamTam.Silo;
using TamTam.Silo.Internal;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// <c>TamTam:Cluster</c> composes the clustering each mode names, and refuses what cannot work, naming the key. Nothing
/// here starts a silo: the host is composed and its services are read.
/// </summary>
public sealed class ClusterConfigurationTests
{
    private const string Blob = "--TamTam:Storage:Backend=blob";
    private const string BlobConnection = "--TamTam:Storage:Blob:ConnectionString=UseDevelopmentStorage=true";
    private const string Redis = "--TamTam:Cluster:Mode=redis";
    private const string RedisConnection = "--TamTam:Cluster:Redis:ConnectionString=127.0.0.1:6379";

    [Fact]
    public async Task With_no_cluster_setting_the_silo_uses_localhost_clustering_on_loopback()
    {
        await using WebApplication app = TamTamSilo.CreateBuilder([]).Build();

        // Development clustering: the primary silo (this one) keeps the membership.
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111),
            app.Services.GetRequiredService<IOptions<DevelopmentClusterMembershipOptions>>().Value.PrimarySiloEndpoint);
        EndpointOptions endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Equal(11111, endpoints.SiloPort);
        Assert.Equal(30000, endpoints.GatewayPort);
        Assert.Equal("tamtam", app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
    }

    [Fact]
    public async Task Redis_mode_composes_redis_membership_listening_everywhere_and_advertising_the_configured_address()
    {
        WebApplicationBuilder builder = TamTamSilo.CreateBuilder([Redis, RedisConnection, Blob, BlobConnection,
            "--TamTam:Cluster:AdvertisedAddress=127.0.0.2", "--TamTam:Cluster:SiloPort=12000", "--TamTam:Cluster:GatewayPort=0",
            "--TamTam:Cluster:ClusterId=east", "--TamTam:Cluster:ServiceId=orders"]);
        await using WebApplication app = builder.Build();

        Assert.Contains("Redis", MembershipTable(builder), StringComparison.Ordinal);
        EndpointOptions endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse("127.0.0.2"), endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 12000), endpoints.SiloListeningEndpoint);
        Assert.Null(endpoints.GatewayListeningEndpoint);
        ClusterOptions ids = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal(("east", "orders"), (ids.ClusterId, ids.ServiceId));
    }

    [Theory]
    [InlineData("--TamTam:Cluster:AzureTable:ConnectionString=UseDevelopmentStorage=true")]
    [InlineData("--TamTam:Cluster:AzureTable:ServiceUri=https://account.table.core.windows.net")]
    public async Task Azure_table_mode_composes_azure_table_membership_from_a_connection_string_or_a_service_uri(string account)
    {
        WebApplicationBuilder builder = TamTamSilo.CreateBuilder(["--TamTam:Cluster:Mode=azure-table", account, Blob, BlobConnection]);
        await using WebApplication app = builder.Build();

        Assert.Contains("Azure", MembershipTable(builder), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Membership_timings_default_to_fast_failover_and_can_be_set()
    {
        await using WebApplication tuned = TamTamSilo.CreateBuilder([]).Build();
        await using WebApplication configured = TamTamSilo.CreateBuilder(["--TamTam:Cluster:Membership:ProbeTimeout=00:00:05",
            "--TamTam:Cluster:Membership:NumMissedProbesLimit=3"]).Build();

        ClusterMembershipOptions defaults = tuned.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.ProbeTimeout);
        Assert.Equal(2, defaults.NumMissedProbesLimit);
        Assert.Equal(TimeSpan.FromSeconds(2), defaults.TableRefreshTimeout);
        ClusterMembershipOptions set = configured.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(5), 3), (set.ProbeTimeout, set.NumMissedProbesLimit));
    }

    [Fact]
    public async Task Kubernetes_hosting_stays_off_outside_a_pod_when_auto()
    {
        Assert.False(ClusterHosting.RunsInPod(), $"the tests run outside Kubernetes ({ClusterHosting.PodVariable} is set here)");

        await using WebApplication app = TamTamSilo.CreateBuilder([Redis, RedisConnection, Blob, BlobConnection]).Build();

        Assert.DoesNotContain(app.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(),
            p => p.GetType().FullName!.Contains("Kubernetes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("redis", "auto", true, true)]
    [InlineData("redis", "auto", false, false)]
    [InlineData("azure-table", "on", true, true)]
    [InlineData("azure-table", "off", true, false)]
    [InlineData("localhost", "auto", true, false)]
    public void Kubernetes_hosting_is_added_on_a_multi_host_mode_in_a_pod_unless_off(string mode, string kubernetes, bool inPod, bool expected)
    {
        var cluster = new TamTam.Silo.SiloOptions.ClusterSettings { Mode = mode, Kubernetes = kubernetes };

        Assert.Equal(expected, ClusterHosting.UsesKubernetes(cluster, inPod));
    }

    [Theory]
    [InlineData("--TamTam:Orleans:SiloPort=11112", "TamTam:Cluster:SiloPort")]
    [InlineData("--TamTam:Orleans:PrimarySiloPort=11111", "TamTam:Cluster:PrimarySiloPort")]
    [InlineData("--TamTam:Orleans:ClusterId=east", "TamTam:Cluster:ClusterId")]
    public void A_retired_orleans_key_is_refused_naming_its_new_key(string argument, string newKey)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => TamTamSilo.CreateBuilder([argument]));

        Assert.Contains(newKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { Redis, RedisConnection }, "TamTam:Storage:Backend=blob")]
    [InlineData(new[] { "--TamTam:Cluster:Mode=azure-table", "--TamTam:Cluster:AzureTable:ConnectionString=UseDevelopmentStorage=true" }, "TamTam:Storage:Backend=blob")]
    [InlineData(new[] { Redis, Blob, BlobConnection }, "TamTam:Cluster:Redis:ConnectionString")]
    [InlineData(new[] { "--TamTam:Cluster:Mode=azure-table", Blob, BlobConnection }, "TamTam:Cluster:AzureTable:ConnectionString")]
    [InlineData(new[] { "--TamTam:Cluster:Mode=azure-table", "--TamTam:Cluster:AzureTable:ServiceUri=table", Blob, BlobConnection }, "TamTam:Cluster:AzureTable:ServiceUri")]
    [InlineData(new[] { "--TamTam:Cluster:Mode=zookeeper" }, "TamTam:Cluster:Mode")]
    [InlineData(new[] { Redis, RedisConnection, Blob, BlobConnection, "--TamTam:Cluster:PrimarySiloPort=11111" }, "TamTam:Cluster:PrimarySiloPort")]
    [InlineData(new[] { Redis, RedisConnection, Blob, BlobConnection, "--TamTam:Cluster:Kubernetes=on" }, "not run in a Kubernetes pod")]
    [InlineData(new[] { "--TamTam:Cluster:Kubernetes=on" }, "TamTam:Cluster:Kubernetes=on needs a multi-host")]
    [InlineData(new[] { "--TamTam:Cluster:Kubernetes=maybe" }, "TamTam:Cluster:Kubernetes")]
    [InlineData(new[] { "--TamTam:Cluster:Membership:ProbeTimeout=00:00:00" }, "TamTam:Cluster:Membership:ProbeTimeout")]
    [InlineData(new[] { "--TamTam:Cluster:SiloPort=0" }, "TamTam:Cluster:SiloPort")]
    public void A_cluster_configuration_that_cannot_work_is_refused_naming_the_key(string[] arguments, string expected)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => TamTamSilo.CreateBuilder(arguments));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_cluster_key_is_refused_naming_it()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => TamTamSilo.CreateBuilder(["--TamTam:Cluster:Mdoe=redis"]));

        Assert.Contains("Mdoe", error.Message, StringComparison.Ordinal);
    }

    private static string MembershipTable(WebApplicationBuilder builder)
    {
        ServiceDescriptor descriptor = builder.Services.Last(d => d.ServiceType == typeof(IMembershipTable));
        return descriptor.ImplementationType?.FullName ?? descriptor.ImplementationFactory?.Method.DeclaringType?.FullName ?? "";
    }
}
