namespace TamTam.Silo;

public sealed partial record SiloOptions
{
    /// <summary>
    /// <c>TamTam:Cluster</c>: how the silos of one interchange find each other and detect each other's death
    /// (silo/README.md, docs/operations.md).
    /// </summary>
    public sealed record ClusterSettings
    {
        /// <summary>The configuration section these settings are bound from.</summary>
        public const string SectionName = "TamTam:Cluster";

        /// <summary><see cref="Mode"/>: every silo on this machine, the membership kept by the primary silo (the default).</summary>
        public const string ModeLocalhost = "localhost";

        /// <summary><see cref="Mode"/>: membership in an Azure Storage table (or Azurite's table endpoint).</summary>
        public const string ModeAzureTable = "azure-table";

        /// <summary><see cref="Mode"/>: membership in Redis.</summary>
        public const string ModeRedis = "redis";

        /// <summary>
        /// <c>TamTam:Cluster:Mode</c>: <c>localhost</c> (default: one machine, nothing else needed), <c>azure-table</c> or
        /// <c>redis</c> (several hosts; both need <c>TamTam:Storage:Backend=blob</c>, so that every silo reads the same state).
        /// </summary>
        public string Mode { get; set; } = ModeLocalhost;

        /// <summary>The Orleans cluster id (<c>TamTam:Cluster:ClusterId</c>): silos with the same id form one cluster.</summary>
        public string ClusterId { get; set; } = "tamtam";

        /// <summary>The Orleans service id (<c>TamTam:Cluster:ServiceId</c>); stored grain state is keyed by it, so it outlives clusters.</summary>
        public string ServiceId { get; set; } = "tamtam";

        /// <summary>Silo-to-silo port (<c>TamTam:Cluster:SiloPort</c>), 1 … 65535.</summary>
        public int SiloPort { get; set; } = 11111;

        /// <summary>Orleans client gateway port (<c>TamTam:Cluster:GatewayPort</c>); 0 turns the Orleans gateway off.</summary>
        public int GatewayPort { get; set; } = 30000;

        /// <summary>
        /// The silo port of the cluster's primary silo (<c>TamTam:Cluster:PrimarySiloPort</c>) for a second silo on this
        /// machine to join; 0 (the default): this silo is the primary. Localhost mode only; silos of one localhost
        /// cluster share the data directory (docs/architecture.md).
        /// </summary>
        public int PrimarySiloPort { get; set; }

        /// <summary>
        /// The address the other silos reach this one at (<c>TamTam:Cluster:AdvertisedAddress</c>): an IP address or a
        /// host name resolved at start. Empty (the default): loopback in localhost mode; in a Kubernetes pod the pod's
        /// IP (<c>POD_IP</c>); otherwise the host's first non-loopback address, as Orleans picks it. In the multi-host
        /// modes the silo and Orleans gateway ports listen on every interface.
        /// </summary>
        public string AdvertisedAddress { get; set; } = string.Empty;

        /// <summary>
        /// <c>TamTam:Cluster:Kubernetes</c>: <c>auto</c> (default: Orleans' Kubernetes hosting when running in a pod,
        /// that is when <c>KUBERNETES_SERVICE_HOST</c> is set), <c>on</c> (refused outside a pod) or <c>off</c>. Only on top
        /// of a multi-host mode: it labels and watches the silo pods, it does not replace the membership table.
        /// </summary>
        public string Kubernetes { get; set; } = KubernetesAuto;

        /// <summary><see cref="Kubernetes"/>: on in a pod, off elsewhere.</summary>
        public const string KubernetesAuto = "auto";

        /// <summary><see cref="Kubernetes"/>: always (the silo refuses to start outside a pod).</summary>
        public const string KubernetesOn = "on";

        /// <summary><see cref="Kubernetes"/>: never.</summary>
        public const string KubernetesOff = "off";

        /// <summary><c>TamTam:Cluster:AzureTable</c>: the membership table of the <c>azure-table</c> mode.</summary>
        public AzureTableSettings AzureTable { get; set; } = new();

        /// <summary><c>TamTam:Cluster:Redis</c>: the membership store of the <c>redis</c> mode.</summary>
        public RedisSettings Redis { get; set; } = new();

        /// <summary><c>TamTam:Cluster:Membership</c>: failure detection, tuned for fast failover.</summary>
        public MembershipSettings Membership { get; set; } = new();

        /// <summary>True when <see cref="Mode"/> is <c>localhost</c> (in any letter case).</summary>
        public bool IsLocalhost => string.Equals(Mode, ModeLocalhost, StringComparison.OrdinalIgnoreCase);

        /// <summary>True when <see cref="Mode"/> is <c>azure-table</c> (in any letter case).</summary>
        public bool IsAzureTable => string.Equals(Mode, ModeAzureTable, StringComparison.OrdinalIgnoreCase);

        /// <summary>True when <see cref="Mode"/> is <c>redis</c> (in any letter case).</summary>
        public bool IsRedis => string.Equals(Mode, ModeRedis, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>TamTam:Cluster:AzureTable</c>.</summary>
    public sealed record AzureTableSettings
    {
        /// <summary>
        /// An Azure Storage connection string (<c>TamTam:Cluster:AzureTable:ConnectionString</c>), e.g. Azurite's
        /// <c>UseDevelopmentStorage=true</c>. Takes precedence over <see cref="ServiceUri"/>.
        /// </summary>
        public string ConnectionString { get; set; } = string.Empty;

        /// <summary>
        /// The account's table endpoint (<c>TamTam:Cluster:AzureTable:ServiceUri</c>), e.g.
        /// <c>https://myaccount.table.core.windows.net</c>, reached with a token from <c>DefaultAzureCredential</c>
        /// (a managed identity, workload identity or the <c>AZURE_*</c> environment variables).
        /// </summary>
        public string ServiceUri { get; set; } = string.Empty;

        /// <summary>The membership table (<c>TamTam:Cluster:AzureTable:TableName</c>); Orleans' <c>OrleansSiloInstances</c> by default.</summary>
        public string TableName { get; set; } = "OrleansSiloInstances";
    }

    /// <summary><c>TamTam:Cluster:Redis</c>.</summary>
    public sealed record RedisSettings
    {
        /// <summary>
        /// A StackExchange.Redis configuration string (<c>TamTam:Cluster:Redis:ConnectionString</c>), e.g.
        /// <c>127.0.0.1:6379</c> or <c>redis.example:6380,ssl=true,password=…</c>.
        /// </summary>
        public string ConnectionString { get; set; } = string.Empty;
    }

    /// <summary>
    /// <c>TamTam:Cluster:Membership</c>: how fast a dead silo is declared dead. Each silo probes a few others every
    /// <see cref="ProbeTimeout"/>; after <see cref="NumMissedProbesLimit"/> missed probes it suspects the silo, and
    /// <see cref="NumVotesForDeathDeclaration"/> suspicions declare it dead. The defaults declare a killed silo dead in
    /// about 2 s (Orleans' own take 10–20 s; docs/operations.md has both measured).
    /// </summary>
    public sealed record MembershipSettings
    {
        /// <summary>The probe period and timeout (<c>TamTam:Cluster:Membership:ProbeTimeout</c>); Orleans' default is 5 s.</summary>
        public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Missed probes before a silo is suspected (<c>TamTam:Cluster:Membership:NumMissedProbesLimit</c>); Orleans' default is 3.</summary>
        public int NumMissedProbesLimit { get; set; } = 2;

        /// <summary>Suspicions that declare a silo dead (<c>TamTam:Cluster:Membership:NumVotesForDeathDeclaration</c>); Orleans' default, 2.</summary>
        public int NumVotesForDeathDeclaration { get; set; } = 2;

        /// <summary>How often each silo reads the whole membership table (<c>TamTam:Cluster:Membership:TableRefreshTimeout</c>); Orleans' default is 60 s.</summary>
        public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How often each silo writes its heartbeat to the table (<c>TamTam:Cluster:Membership:IAmAliveTablePublishTimeout</c>); Orleans' default is 5 min.</summary>
        public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
    }
}
