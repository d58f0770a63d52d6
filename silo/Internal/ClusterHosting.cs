using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Identity;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;

namespace TamTam.Silo.Internal;

/// <summary>
/// Composes the silo's clustering from <c>TamTam:Cluster</c> (checked by <see cref="ClusterSettingsCheck"/>): the
/// membership provider of the mode, endpoints, ids, failure detection and, in a pod, Orleans' Kubernetes hosting.
/// </summary>
internal static class ClusterHosting
{
    /// <summary>Set by Kubernetes in every container of a pod: its presence is how <c>auto</c> recognises a pod.</summary>
    public const string PodVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>True when this process runs in a Kubernetes pod.</summary>
    public static bool RunsInPod() => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PodVariable));

    /// <summary>Parses <c>TamTam:Cluster:Kubernetes</c>: true (on), false (off) or null (auto).</summary>
    public static bool TryParseKubernetes(string? value, out bool? requested)
    {
        requested = null;
        if (string.Equals(value, SiloOptions.ClusterSettings.KubernetesAuto, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(value, SiloOptions.ClusterSettings.KubernetesOn, StringComparison.OrdinalIgnoreCase))
        {
            requested = true;
            return true;
        }

        if (string.Equals(value, SiloOptions.ClusterSettings.KubernetesOff, StringComparison.OrdinalIgnoreCase))
        {
            requested = false;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Whether Orleans' Kubernetes hosting is added: never in localhost mode, always when <c>on</c>, and with
    /// <c>auto</c> only inside a pod (outside one it would stop the start: it has no namespace to watch).
    /// </summary>
    public static bool UsesKubernetes(SiloOptions.ClusterSettings cluster, bool inPod) =>
        !cluster.IsLocalhost && TryParseKubernetes(cluster.Kubernetes, out bool? requested) && (requested ?? inPod);

    /// <summary>Adds the clustering <paramref name="cluster"/> describes to <paramref name="silo"/>.</summary>
    public static ISiloBuilder UseTamTamClustering(this ISiloBuilder silo, SiloOptions.ClusterSettings cluster)
    {
        if (cluster.IsLocalhost)
        {
            // Unchanged from the single-machine default: the primary silo keeps the membership in memory.
            IPEndPoint? primary = cluster.PrimarySiloPort == 0 ? null : new IPEndPoint(IPAddress.Loopback, cluster.PrimarySiloPort);
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primary, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            if (Advertised(cluster) is { } advertised)
            {
                silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = advertised);
            }
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            IPAddress? advertised = Advertised(cluster);
            silo.Configure<EndpointOptions>(o =>
            {
                // Listen on every interface, advertise one address: the pod's, the host's, or the one configured.
                o.SiloPort = cluster.SiloPort;
                o.GatewayPort = cluster.GatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.SiloPort);
                o.GatewayListeningEndpoint = cluster.GatewayPort == 0 ? null : new IPEndPoint(IPAddress.Any, cluster.GatewayPort);
                if (advertised is not null)
                {
                    o.AdvertisedIPAddress = advertised;
                }
            });
            if (cluster.IsAzureTable)
            {
                silo.UseAzureStorageClustering(o =>
                {
                    o.TableName = cluster.AzureTable.TableName;
                    o.TableServiceClient = string.IsNullOrWhiteSpace(cluster.AzureTable.ConnectionString)
                        ? new TableServiceClient(new Uri(cluster.AzureTable.ServiceUri), new DefaultAzureCredential())
                        : new TableServiceClient(cluster.AzureTable.ConnectionString);
                });
            }
            else
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis.ConnectionString));

                // The grain directory in Redis too: Orleans' in-cluster directory keeps each entry on one silo and loses
                // the dead silo's share, so a link living on a live silo could start a second activation elsewhere,
                // which then waited for the first one's log lease. In Redis an entry outlives any silo but its own.
                silo.UseRedisGrainDirectoryAsDefault(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis.ConnectionString));
            }

            if (UsesKubernetes(cluster, RunsInPod()))
            {
                silo.UseKubernetesHosting();
            }
        }

        SiloOptions.MembershipSettings membership = cluster.Membership;
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = membership.ProbeTimeout;
            o.NumMissedProbesLimit = membership.NumMissedProbesLimit;
            o.NumVotesForDeathDeclaration = membership.NumVotesForDeathDeclaration;
            o.TableRefreshTimeout = membership.TableRefreshTimeout;
            o.IAmAliveTablePublishTimeout = membership.IAmAliveTablePublishTimeout;
        });
        return silo;
    }

    /// <summary>The configured advertised address (a host name resolved now, IPv4 first), or null for the mode's default.</summary>
    private static IPAddress? Advertised(SiloOptions.ClusterSettings cluster)
    {
        string value = cluster.AdvertisedAddress;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (IPAddress.TryParse(value, out IPAddress? address))
        {
            return address;
        }

        IPAddress[] resolved = Dns.GetHostAddresses(value);
        return Array.Find(resolved, a => a.AddressFamily == AddressFamily.InterNetwork) ?? (resolved.Length > 0 ? resolved[0]
            : throw new InvalidOperationException($"TamTam:Cluster:AdvertisedAddress \"{value}\" resolves to no address."));
    }
}
