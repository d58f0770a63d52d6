using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Grains.Transfers;

/// <summary>The persisted descriptor state of one parted transfer (grain storage, state name <c>transfer</c>).</summary>
[GenerateSerializer, Alias("tamtam.TransferState")]
public sealed class TransferState
{
    [Id(0)]
    public TransferPhase Phase { get; set; }

    /// <summary>The SEND that started it: source, destination and the payload's descriptor.</summary>
    [Id(1)]
    public TransferRequest? Request { get; set; }

    /// <summary>One bit per part stored by the sender (progress; the payload store is the truth).</summary>
    [Id(2)]
    public byte[] Staged { get; set; } = [];

    [Id(3)]
    public int StagedCount { get; set; }

    /// <summary>Per receiving node: the part size it receives in and the parts it confirmed.</summary>
    [Id(4)]
    public Dictionary<string, ReceiverProgress> Receivers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Microseconds since the epoch: an upload with no progress until then is abandoned.</summary>
    [Id(5)]
    public long StagingDeadlineUs { get; set; }

    [Id(6)]
    public ulong Sequence { get; set; }

    [Id(7)]
    public long AcceptedAtUs { get; set; }

    /// <summary>The accepted message's deadline (0 before acceptance).</summary>
    [Id(8)]
    public long DeadlineUs { get; set; }

    [Id(9)]
    public FinalState? FinalState { get; set; }

    [Id(10)]
    public long EndedAtUs { get; set; }
}

/// <summary>What one receiving node has confirmed.</summary>
[GenerateSerializer, Alias("tamtam.TransferReceiverProgress")]
public sealed class ReceiverProgress
{
    [Id(0)]
    public int PartSize { get; set; }

    [Id(1)]
    public byte[] Confirmed { get; set; } = [];

    [Id(2)]
    public int Count { get; set; }
}
