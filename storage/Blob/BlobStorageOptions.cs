using Azure.Core;
using Azure.Storage.Blobs;
using Orleans;

namespace TamTam.Storage.Blob;

/// <summary>
/// Settings of the Azure Blob backend, shared by <see cref="BlobSegmentLogStore"/>,
/// <see cref="BlobPayloadStore"/> and the grain storage (Orleans' blob provider, <c>AddBlobGrainStorage</c>). Bind it from configuration or
/// set it in code; it is validated when the host starts (and again when a store is built), naming any
/// bad key.
/// </summary>
/// <remarks>
/// Give either <see cref="ConnectionString"/> or <see cref="ServiceUri"/> (with a SAS token in its
/// query, or a <see cref="Credential"/> set in code). Everything lives in one container, created on first use:
/// link logs under <c>logs/</c>, parted payloads under <c>payloads/</c>, grain state as Orleans names it
/// (<c>&lt;state name&gt;-&lt;grain id&gt;.json</c>).
/// </remarks>
public sealed record BlobStorageOptions
{
    /// <summary>The default <see cref="ContainerName"/>.</summary>
    public const string DefaultContainerName = "tamtam";

    /// <summary>The default <see cref="SegmentSizeBytes"/>: 64 MiB.</summary>
    public const long DefaultSegmentSizeBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The default <see cref="SegmentMaxBlocks"/>: 100 appends. W7 on Azurite (docs/benchmarks.md): a link's failover took
    /// up to 9.7 s with 1,000 (the logs never rolled), 2.6 s at most with 100.
    /// </summary>
    public const int DefaultSegmentMaxBlocks = 100;

    /// <summary>The service's limit of blocks per append blob, the most <see cref="SegmentMaxBlocks"/> may be.</summary>
    public const int MaxBlocksPerAppendBlob = 50_000;

    /// <summary>The default <see cref="ReadBufferBytes"/>: 256 KiB (blob reads pay per round trip, so larger than on disk).</summary>
    public const int DefaultReadBufferBytes = 256 * 1024;

    /// <summary>The default <see cref="LeaseWait"/>: 10 seconds, longer than a failure detection takes.</summary>
    public static readonly TimeSpan DefaultLeaseWait = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="MaxRetries"/>: 3.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>
    /// The default <see cref="RetryDelay"/>: 200 ms, so that a service that stays away is reported within about two seconds
    /// (the client library's own default, 0.8 s doubled three times, kept senders waiting for many seconds before 501).
    /// </summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The default <see cref="MaxRetryDelay"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="NetworkTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="LeaseDuration"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An Azure Storage connection string (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…</c>, or
    /// Azurite's <c>UseDevelopmentStorage=true</c>). Takes precedence over <see cref="ServiceUri"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The account's blob endpoint, e.g. <c>https://myaccount.blob.core.windows.net</c>, used when no
    /// <see cref="ConnectionString"/> is given: with <see cref="Credential"/> if set, else as is (a SAS
    /// token in its query authorizes it).
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>A token credential for <see cref="ServiceUri"/> (e.g. a managed identity); set in code, not bound.</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The container that holds everything (3–63 lowercase letters, digits and single hyphens).</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>
    /// The storage service version to speak, e.g. <c>V2025_11_05</c>; unset, the client library's newest. Pin it
    /// when the service (or an emulator) is older than the library.
    /// </summary>
    public BlobClientOptions.ServiceVersion? ServiceVersion { get; set; }

    /// <summary>
    /// An append blob segment is closed and a new one started before an append would take it past this
    /// size (a single larger batch still goes whole into one segment). Truncation deletes whole segments.
    /// </summary>
    public long SegmentSizeBytes { get; set; } = DefaultSegmentSizeBytes;

    /// <summary>
    /// An append blob segment is also closed before it would hold more than this many blocks (one append is one
    /// block up to 4 MiB), 1 to 50,000. A link checkpoints each time its log starts a segment and replays only the
    /// segments a pending message still needs, and reading a segment back costs per block as well as per byte, so
    /// this bounds what a link's failover replays: small group commits make many small blocks.
    /// </summary>
    public int SegmentMaxBlocks { get; set; } = DefaultSegmentMaxBlocks;

    /// <summary>The chunk size for reading segments back: the memory bound of one reader.</summary>
    public int ReadBufferBytes { get; set; } = DefaultReadBufferBytes;

    /// <summary>
    /// The lease an open log holds on its lock blob (15 to 60 seconds), renewed at a third of it. After a
    /// crash, the log can be opened elsewhere once the lease has run out.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>
    /// How long opening a log whose lease another writer holds waits for it: for the writer to close it (a link moving
    /// between silos) or to be declared dead (<see cref="ILeaseHolderLiveness"/>), trying again every 100 ms or so;
    /// the open fails after it. Zero refuses at once. 0 to 60 seconds.
    /// </summary>
    public TimeSpan LeaseWait { get; set; } = DefaultLeaseWait;

    /// <summary>
    /// How many times a failed request to the service is tried again (timeouts, throttling, refused connections) before
    /// the operation fails: a log append that fails faults its commit, and senders are told 501 until storage is back.
    /// 0 to 10.
    /// </summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>The wait before the first retry, doubled before each next one (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;

    /// <summary>The longest wait between two tries of a request.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;

    /// <summary>How long one try of a request may take before it is abandoned (and tried again); bounds a part upload too.</summary>
    public TimeSpan NetworkTimeout { get; set; } = DefaultNetworkTimeout;

    /// <summary>The silo lifecycle stage at which grain storage makes sure its container exists.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}
