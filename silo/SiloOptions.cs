namespace TamTam.Silo;

/// <summary>
/// The host's own settings, bound from the configuration section <c>TamTam</c>. Sources, later wins:
/// <c>appsettings.json</c> &lt; environment variables (<c>TAMTAM__TCP__PORT=7421</c>) &lt; command line
/// (<c>--TamTam:Tcp:Port=7421</c>). The gateway's settings live under <c>TamTam:Gateway</c>
/// (<see cref="Gateway.GatewayOptions"/>).
/// </summary>
public sealed partial record SiloOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "TamTam";

    /// <summary>
    /// Where durable data lives with the local backend (<c>TamTam:DataPath</c>); relative paths start at the working
    /// directory.
    /// </summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Which backend keeps durable data (<c>TamTam:Storage</c>): a local directory (default) or Azure Blob Storage.</summary>
    public StorageSettings Storage { get; set; } = new();

    /// <summary>Which addresses the listeners bind (<c>TamTam:Listen</c>).</summary>
    public ListenSettings Listen { get; set; } = new();

    /// <summary>The wire protocol over TCP (<c>TamTam:Tcp</c>); port 7420 by default, 0 picks a free port.</summary>
    public PortSettings Tcp { get; set; } = new() { Port = 7420 };

    /// <summary>
    /// HTTP (<c>TamTam:Http</c>): <c>/healthz</c>, <c>/healthz/live</c>, <c>/healthz/ready</c> and the wire protocol over WebSocket on <c>/ws</c>; dashboard and
    /// metrics later. Port 7480 by default.
    /// </summary>
    public PortSettings Http { get; set; } = new() { Port = 7480 };

    /// <summary>The wire protocol over a Unix domain socket (<c>TamTam:Unix</c>); off unless a path is set.</summary>
    public UnixSettings Unix { get; set; } = new();

    /// <summary>
    /// The Orleans cluster (<c>TamTam:Cluster</c>): how silos find each other (single-machine localhost clustering by
    /// default, Azure Table or Redis membership for several hosts), their ports, addresses, ids and failure detection.
    /// </summary>
    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>
    /// TLS on the TCP and HTTP listeners (<c>TamTam:Tls</c>): off unless a certificate is configured. With it, TCP
    /// serves <c>tamtams://</c> and HTTP serves HTTPS, so the WebSocket transport is <c>wss://</c>.
    /// </summary>
    public TlsSettings Tls { get; set; } = new();

    /// <summary><c>TamTam:Storage</c>.</summary>
    public sealed record StorageSettings
    {
        /// <summary>The value of <see cref="Backend"/> that keeps data in <see cref="DataPath"/> (the default).</summary>
        public const string Local = "local";

        /// <summary>The value of <see cref="Backend"/> that keeps data in Azure Blob Storage.</summary>
        public const string Blob = "blob";

        /// <summary>
        /// The configuration section the blob backend's settings are bound from (<c>ConnectionString</c> or
        /// <c>ServiceUri</c>, <c>ContainerName</c>, <c>ServiceVersion</c>, <c>SegmentSizeBytes</c>, <c>ReadBufferBytes</c>,
        /// <c>LeaseDuration</c>, <c>LeaseWait</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>MaxRetryDelay</c>, <c>NetworkTimeout</c>).
        /// </summary>
        public const string BlobSection = "TamTam:Storage:Blob";

        /// <summary>
        /// <c>TamTam:Storage:Backend</c>: <c>local</c> (default: <see cref="DataPath"/>, write-then-rename and fsync) or
        /// <c>blob</c> (Azure Blob Storage, configured under <c>TamTam:Storage:Blob</c>). Segment logs, grain state and
        /// parted payloads all go to the one backend.
        /// </summary>
        public string Backend { get; set; } = Local;

        /// <summary>True when <see cref="Backend"/> is <c>blob</c> (in any letter case).</summary>
        public bool IsBlob => string.Equals(Backend, Blob, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>TamTam:Listen</c>.</summary>
    public sealed record ListenSettings
    {
        /// <summary>
        /// <c>localhost</c> (default: the loopback interface only), <c>any</c> (every interface, for containers)
        /// or an IP address.
        /// </summary>
        public string Address { get; set; } = "localhost";
    }

    /// <summary>A listener's port.</summary>
    public sealed record PortSettings
    {
        /// <summary>0 … 65535; 0 binds a free port, which <see cref="TamTamSilo"/> reports once started.</summary>
        public int Port { get; set; }
    }

    /// <summary><c>TamTam:Unix</c>.</summary>
    public sealed record UnixSettings
    {
        /// <summary>
        /// The socket file (<c>TamTam:Unix:Path</c>), e.g. <c>/run/tamtam/tamtam.sock</c>; relative paths start at the
        /// working directory. Empty (the default): no Unix socket. At start a stale file that no process listens on
        /// is removed; one a running process listens on stops the start.
        /// </summary>
        public string Path { get; set; } = string.Empty;
    }

    /// <summary><c>TamTam:Tls</c>. The certificate is read once, at start; a new one takes a restart.</summary>
    public sealed record TlsSettings
    {
        /// <summary>
        /// The server certificate (<c>TamTam:Tls:CertificatePath</c>): a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with its
        /// key) or a PEM file (the key in the same file or in <see cref="KeyPath"/>). Empty (the default): no TLS.
        /// </summary>
        public string CertificatePath { get; set; } = string.Empty;

        /// <summary>The PEM private key (<c>TamTam:Tls:KeyPath</c>) when it is not in the certificate's file.</summary>
        public string KeyPath { get; set; } = string.Empty;

        /// <summary>
        /// The PKCS#12 file's password, or the encrypted PEM key's (<c>TamTam:Tls:Password</c>); best given through the
        /// environment (<c>TAMTAM__TLS__PASSWORD</c>), never on a command line.
        /// </summary>
        public string Password { get; set; } = string.Empty;

        /// <summary>True when <see cref="CertificatePath"/> is set.</summary>
        public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
    }
}
