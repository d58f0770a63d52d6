namespace TamTam.Grains.Transfers;

/// <summary>The persisted list of one registry partition (grain storage, state name <c>transfers</c>).</summary>
[GenerateSerializer, Alias("tamtam.TransferRegistryState")]
public sealed class TransferRegistryState
{
    /// <summary>The transfers of this partition that are not over.</summary>
    [Id(0)]
    public HashSet<Guid> Live { get; set; } = [];
}
