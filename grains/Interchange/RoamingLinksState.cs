namespace TamTam.Grains.Interchange;

/// <summary>The persisted list of one partition of the links with roaming messages (grain storage, state name <c>roaming</c>).</summary>
[GenerateSerializer, Alias("tamtam.RoamingLinksState")]
public sealed class RoamingLinksState
{
    /// <summary>The links of this partition that have roaming messages not final yet.</summary>
    [Id(0)]
    public HashSet<string> Links { get; set; } = new(StringComparer.Ordinal);
}
