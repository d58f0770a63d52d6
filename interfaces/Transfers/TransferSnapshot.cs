using TamTam.Protocol;

namespace TamTam.Interfaces.Transfers;

/// <summary>A transfer's descriptor state, for operators and tests.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.TransferSnapshot")]
public sealed record TransferSnapshot(
    [property: Id(0)] TransferPhase Phase,
    [property: Id(1)] TransferDescriptor? Descriptor,
    [property: Id(2)] int PartsStaged,
    [property: Id(3)] IReadOnlyDictionary<string, int> PartsConfirmed,
    [property: Id(4)] long DeadlineUs,
    [property: Id(5)] FinalState? FinalState);
