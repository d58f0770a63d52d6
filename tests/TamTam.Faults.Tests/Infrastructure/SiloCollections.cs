namespace TamTam.EndToEnd.Tests.Infrastructure;

// The collections of the shared silos (SharedSiloFixture and the others, from TamTam.Testing). xunit finds collection
// definitions only in the test assembly itself, so each assembly that uses a shared silo defines its collections.

[CollectionDefinition(Name)]
public sealed class SharedSiloCollection : ICollectionFixture<SharedSiloFixture>
{
    public const string Name = "shared silo";
}
