using Orleans;

namespace TamTam.Storage.Local;

/// <summary>
/// Settings of the local-directory backend, shared by <see cref="LocalSegmentLogStore"/> and
/// <see cref="LocalDirectoryGrainStorage"/>. Bind it from configuration or set it in code; it is
/// validated when the host starts (and again when a store is built), naming any bad key.
/// </summary>
public sealed record LocalStorageOptions
{
    /// <summary>The default <see cref="SegmentSizeBytes"/>: 64 MiB.</summary>
    public const long DefaultSegmentSizeBytes = 64L * 1024 * 1024;

    /// <summary>The default <see cref="ReadBufferBytes"/>: 64 KiB, under the large-object-heap threshold.</summary>
    public const int DefaultReadBufferBytes = 64 * 1024;

    /// <summary>
    /// The storage root. Logs live under <c>&lt;RootPath&gt;/logs</c>, grain state under
    /// <c>&lt;RootPath&gt;/grains</c>, parted payloads under <c>&lt;RootPath&gt;/payloads</c>. A relative path is taken from the process's current directory.
    /// </summary>
    public string RootPath { get; set; } = "data";

    /// <summary>
    /// A segment file is closed and a new one started before an append would take it past this size
    /// (a single larger batch still goes whole into one segment). Truncation deletes whole segments,
    /// so smaller segments free space sooner; larger ones mean fewer files.
    /// </summary>
    public long SegmentSizeBytes { get; set; } = DefaultSegmentSizeBytes;

    /// <summary>The chunk size for reading segments back: the memory bound of one reader.</summary>
    public int ReadBufferBytes { get; set; } = DefaultReadBufferBytes;

    /// <summary>The silo lifecycle stage at which grain storage prepares its directory.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}
