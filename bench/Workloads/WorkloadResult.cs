using System.Text.Json;
using System.Text.Json.Serialization;

namespace TamTam.Bench.Workloads;

/// <summary>One measured result: printed as one JSON line, the form docs/benchmarks.md quotes.</summary>
internal sealed record WorkloadResult
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Workload { get; init; }

    /// <summary><c>tcp</c> (through the gateway) or <c>in-process</c> (grain calls inside the silo).</summary>
    public required string Transport { get; init; }

    /// <summary>Where the interchange ran: <c>in-process</c> or the server's URI.</summary>
    public required string Server { get; init; }

    public required int Links { get; init; }

    /// <summary>Messages the run set out to send.</summary>
    public required int Messages { get; init; }

    /// <summary>Messages that ended DELIVERED, each acknowledged by its consumer.</summary>
    public required long Delivered { get; init; }

    /// <summary>From the first SEND to the last DELIVERED status.</summary>
    public required double Seconds { get; init; }

    public required double MsgsPerS { get; init; }

    /// <summary>CPU seconds this process used over <see cref="Seconds"/> (client and in-process silo together, or the clients alone against --server).</summary>
    public required double CpuSeconds { get; init; }

    /// <summary><see cref="CpuSeconds"/> per delivered message, microseconds: independent of how busy the machine's disk was.</summary>
    public double CpuUsPerMsg => Delivered == 0 ? 0 : Math.Round(CpuSeconds * 1e6 / Delivered, 1);

    /// <summary>Managed bytes this process allocated per delivered message over <see cref="Seconds"/>.</summary>
    public required long AllocatedBytesPerMsg { get; init; }

    /// <summary>Garbage collections in this process over <see cref="Seconds"/>.</summary>
    public required int Collections { get; init; }

    /// <summary>False when the time cap or a failure stopped the run early.</summary>
    public required bool Complete { get; init; }

    public required int PayloadBytes { get; init; }

    /// <summary>Sends in flight per producer.</summary>
    public required int Window { get; init; }

    /// <summary>Messages per producer accepted and not yet settled.</summary>
    public required int Outstanding { get; init; }

    /// <summary>SENDs the server refused (e.g. 302 when an inbox was full); they count as not delivered.</summary>
    public required long Refused { get; init; }

    /// <summary>SENDs per grain call (in-process only).</summary>
    public int? Batch { get; init; }

    /// <summary>SEND → ACCEPTED, microseconds (per grain call in-process).</summary>
    public double? AcceptedP50Us { get; init; }

    public double? AcceptedP99Us { get; init; }

    /// <summary>SEND → final STATUS, microseconds.</summary>
    public double? StatusP50Us { get; init; }

    public double? StatusP99Us { get; init; }

    /// <summary>What the in-process silo's meters saw during the run (absent against an external server).</summary>
    public SiloFigures? Silo { get; init; }

    /// <summary>Silo processes of the cluster the run went through (W7's side-by-side W1), absent otherwise.</summary>
    public int? Silos { get; init; }

    /// <summary>w1-cold: from the silo process's start to its listening line, milliseconds.</summary>
    public double? StartupMs { get; init; }

    /// <summary>w1-cold: CPU the silo process used until it listened, milliseconds.</summary>
    public double? StartupCpuMs { get; init; }

    /// <summary>w1-cold: CPU the silo process used over the run per delivered message, microseconds.</summary>
    public double? SiloCpuUsPerMsg { get; init; }

    /// <summary>Silo settings that differ from the defaults, if any.</summary>
    public string? Settings { get; init; }

    public string? Error { get; init; }

    public required string Date { get; init; }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);
}

/// <summary>The silo's own counters over one run: where the durable writes and the frames went.</summary>
internal sealed record SiloFigures(
    long LogBatches,
    long LogRecords,
    long Fsyncs,
    double FsyncMeanUs,
    double FsyncSeconds,
    long FramesIn,
    long FramesOut)
{
    public double RecordsPerBatch => LogBatches == 0 ? 0 : Math.Round((double)LogRecords / LogBatches, 1);
}
