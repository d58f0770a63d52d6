namespace TamTam.Storage.Tests.Infrastructure;

/// <summary>
/// The tests that share one Azurite (<see cref="AzuriteFixture"/>, from TamTam.Testing); they run one after the other.
/// xunit finds collection definitions only in the test assembly itself, so each assembly that uses Azurite has this.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
