using Orleans;

namespace TamTam.Storage.Tests.Grains;

/// <summary>
/// A small grain state for storage tests. Generated serialization also puts it on Orleans' type
/// allow-list, which the silo's default JSON grain-state serializer requires.
/// </summary>
[GenerateSerializer]
[Alias("tamtam.tests.CounterState")]
public sealed class CounterState
{
    [Id(0)]
    public int Count { get; set; }

    [Id(1)]
    public string Note { get; set; } = "";
}
