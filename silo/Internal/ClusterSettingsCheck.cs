using Microsoft.Extensions.Configuration;

namespace TamTam.Silo.Internal;

/// <summary>Checks <c>TamTam:Cluster</c> before anything starts; each refusal names its key and says what to set.</summary>
internal static class ClusterSettingsCheck
{
    /// <summary>The section the cluster keys had before <c>TamTam:Cluster</c>; a key there is refused, naming its new one.</summary>
    public const string RetiredSection = "TamTam:Orleans";

    public static void Check(List<string> failures, SiloOptions options, IConfiguration configuration)
    {
        SiloOptions.ClusterSettings cluster = options.Cluster;
        CheckRetiredKeys(failures, configuration);

        if (!cluster.IsLocalhost && !cluster.IsAzureTable && !cluster.IsRedis)
        {
            failures.Add($"TamTam:Cluster:Mode must be \"{SiloOptions.ClusterSettings.ModeLocalhost}\", \"{SiloOptions.ClusterSettings.ModeAzureTable}\" or " +
                $"\"{SiloOptions.ClusterSettings.ModeRedis}\" (got \"{cluster.Mode}\").");
            return;
        }

        SiloOptionsReader.CheckPort(failures, "TamTam:Cluster:SiloPort", cluster.SiloPort, 1);
        SiloOptionsReader.CheckPort(failures, "TamTam:Cluster:GatewayPort", cluster.GatewayPort, 0);
        SiloOptionsReader.CheckPort(failures, "TamTam:Cluster:PrimarySiloPort", cluster.PrimarySiloPort, 0);
        if (string.IsNullOrWhiteSpace(cluster.ClusterId))
        {
            failures.Add("TamTam:Cluster:ClusterId must be set.");
        }

        if (string.IsNullOrWhiteSpace(cluster.ServiceId))
        {
            failures.Add("TamTam:Cluster:ServiceId must be set.");
        }

        if (!cluster.IsLocalhost)
        {
            CheckMultiHost(failures, options);
        }

        CheckKubernetes(failures, cluster, ClusterHosting.RunsInPod());
        CheckMembership(failures, cluster.Membership);
    }

    private static void CheckRetiredKeys(List<string> failures, IConfiguration configuration)
    {
        foreach (KeyValuePair<string, string?> entry in configuration.GetSection(RetiredSection).AsEnumerable(makePathsRelative: true))
        {
            if (entry.Value is not null)
            {
                failures.Add($"{RetiredSection}:{entry.Key} is no longer read: the cluster settings moved to TamTam:Cluster, so set " +
                    $"{SiloOptions.ClusterSettings.SectionName}:{entry.Key} instead (silo/README.md).");
            }
        }
    }

    private static void CheckMultiHost(List<string> failures, SiloOptions options)
    {
        SiloOptions.ClusterSettings cluster = options.Cluster;
        if (!options.Storage.IsBlob)
        {
            failures.Add($"TamTam:Cluster:Mode \"{cluster.Mode}\" runs silos on several hosts, and the \"{options.Storage.Backend}\" storage backend keeps " +
                "links and grain state in one machine's data directory: set TamTam:Storage:Backend=blob (with TamTam:Storage:Blob:ConnectionString " +
                "or ServiceUri), or keep TamTam:Cluster:Mode=localhost for silos on one machine.");
        }

        if (cluster.PrimarySiloPort != 0)
        {
            failures.Add($"TamTam:Cluster:PrimarySiloPort is for localhost mode only; in \"{cluster.Mode}\" mode silos find each other in the membership table.");
        }

        if (cluster.IsAzureTable && string.IsNullOrWhiteSpace(cluster.AzureTable.ConnectionString))
        {
            if (string.IsNullOrWhiteSpace(cluster.AzureTable.ServiceUri))
            {
                failures.Add("TamTam:Cluster:AzureTable:ConnectionString (or TamTam:Cluster:AzureTable:ServiceUri) must be set when TamTam:Cluster:Mode is \"azure-table\".");
            }
            else if (!Uri.TryCreate(cluster.AzureTable.ServiceUri, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"TamTam:Cluster:AzureTable:ServiceUri must be an absolute http(s) URI such as https://myaccount.table.core.windows.net (got \"{cluster.AzureTable.ServiceUri}\").");
            }
        }

        if (cluster.IsAzureTable && string.IsNullOrWhiteSpace(cluster.AzureTable.TableName))
        {
            failures.Add("TamTam:Cluster:AzureTable:TableName must name a table.");
        }

        if (cluster.IsRedis && string.IsNullOrWhiteSpace(cluster.Redis.ConnectionString))
        {
            failures.Add("TamTam:Cluster:Redis:ConnectionString must be set when TamTam:Cluster:Mode is \"redis\" (e.g. 127.0.0.1:6379).");
        }
    }

    private static void CheckKubernetes(List<string> failures, SiloOptions.ClusterSettings cluster, bool inPod)
    {
        if (!ClusterHosting.TryParseKubernetes(cluster.Kubernetes, out bool? requested))
        {
            failures.Add($"TamTam:Cluster:Kubernetes must be \"{SiloOptions.ClusterSettings.KubernetesAuto}\", \"{SiloOptions.ClusterSettings.KubernetesOn}\" or " +
                $"\"{SiloOptions.ClusterSettings.KubernetesOff}\" (got \"{cluster.Kubernetes}\").");
        }
        else if (requested == true && cluster.IsLocalhost)
        {
            failures.Add("TamTam:Cluster:Kubernetes=on needs a multi-host TamTam:Cluster:Mode (\"azure-table\" or \"redis\"): Kubernetes hosting watches the " +
                "silo pods but keeps no membership table of its own.");
        }
        else if (requested == true && !inPod)
        {
            failures.Add($"TamTam:Cluster:Kubernetes=on, but this silo does not run in a Kubernetes pod ({ClusterHosting.PodVariable} is not set): " +
                "use \"auto\" (Kubernetes hosting in a pod only) or \"off\".");
        }
    }

    private static void CheckMembership(List<string> failures, SiloOptions.MembershipSettings membership)
    {
        CheckPositive(failures, "ProbeTimeout", membership.ProbeTimeout);
        CheckPositive(failures, "TableRefreshTimeout", membership.TableRefreshTimeout);
        CheckPositive(failures, "IAmAliveTablePublishTimeout", membership.IAmAliveTablePublishTimeout);
        if (membership.NumMissedProbesLimit < 1)
        {
            failures.Add($"TamTam:Cluster:Membership:NumMissedProbesLimit must be at least 1 (got {membership.NumMissedProbesLimit}).");
        }

        if (membership.NumVotesForDeathDeclaration < 1)
        {
            failures.Add($"TamTam:Cluster:Membership:NumVotesForDeathDeclaration must be at least 1 (got {membership.NumVotesForDeathDeclaration}).");
        }
    }

    private static void CheckPositive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"TamTam:Cluster:Membership:{name} must be longer than 0 (got {value}).");
        }
    }
}
