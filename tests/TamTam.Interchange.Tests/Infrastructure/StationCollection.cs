namespace TamTam.Interchange.Tests.Infrastructure;

/// <summary>The stations' tests, one after the other (xunit finds collection definitions only in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class StationCollection
{
    public const string Name = "stations";
}
